"""Reading a sanctions list in the OFAC SDN CSV format (pure functions, no Django).

`sdn.csv`: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner,
Remarks — no header row, "-0- " for an empty field. `alt.csv` (optional): ent_num, alt_num, alt_type, alt_name,
alt_remarks — the aliases ("a.k.a.", "f.k.a.") of an entry. OFAC's files end with a Ctrl-Z line, which is ignored.

`read_sdn_dir` returns every name (primary and aliases) or raises `SdnMalformed` listing *every* bad row with its
file and line number, so the operator fixes the file once and nothing is ever half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

SDN_COLUMNS = 12
ALT_COLUMNS = 5
EMPTY = "-0-"
SKIPPED_TYPES = frozenset({"vessel", "aircraft"})  # not people: never a payee


@dataclass(frozen=True)
class ListedName:
    ent_num: int
    alt_num: int | None  # None: the entry's primary name
    name: str
    sdn_type: str  # "individual", "entity" ("" in the file), vessel/aircraft are skipped
    program: str
    remarks: str


@dataclass
class SdnList:
    names: list[ListedName] = field(default_factory=list)
    entries: int = 0
    sha256: str = ""


class SdnMalformed(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} malformed row(s): " + "; ".join(problems[:5]))
        self.problems = problems


def _value(text: str) -> str:
    text = text.strip()
    return "" if text == EMPTY else text


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
            continue
        rows.append((number, row))
    return rows


def _int(text: str) -> int | None:
    text = _value(text)
    return int(text) if text.isdigit() else None


def parse_sdn(sdn: bytes, alt: bytes | None = None) -> SdnList:
    problems: list[str] = []
    names: list[ListedName] = []
    known: set[int] = set()
    entries = 0
    for line, row in _rows(_decode(sdn)):
        if len(row) != SDN_COLUMNS:
            problems.append(f"sdn.csv line {line}: expected {SDN_COLUMNS} fields, found {len(row)}")
            continue
        ent_num = _int(row[0])
        name = _value(row[1])
        if ent_num is None:
            problems.append(f"sdn.csv line {line}: ent_num {row[0].strip()!r} is not a whole number")
            continue
        if ent_num in known:
            problems.append(f"sdn.csv line {line}: ent_num {ent_num} appears twice")
            continue
        if not name:
            problems.append(f"sdn.csv line {line}: SDN_Name is empty")
            continue
        known.add(ent_num)
        entries += 1
        sdn_type = _value(row[2]).lower() or "entity"
        if sdn_type in SKIPPED_TYPES:
            continue
        names.append(ListedName(ent_num, None, name, sdn_type, _value(row[3]), _value(row[11])))
    types = {n.ent_num: n for n in names}
    seen_alts: set[tuple[int, int]] = set()
    for line, row in _rows(_decode(alt)) if alt else []:
        if len(row) != ALT_COLUMNS:
            problems.append(f"alt.csv line {line}: expected {ALT_COLUMNS} fields, found {len(row)}")
            continue
        ent_num, alt_num, alt_name = _int(row[0]), _int(row[1]), _value(row[3])
        if ent_num is None or alt_num is None:
            problems.append(f"alt.csv line {line}: ent_num and alt_num must be whole numbers")
            continue
        if ent_num not in known:
            problems.append(f"alt.csv line {line}: ent_num {ent_num} is not in sdn.csv")
            continue
        if (ent_num, alt_num) in seen_alts:
            problems.append(f"alt.csv line {line}: alias {ent_num}/{alt_num} appears twice")
            continue
        if not alt_name:
            problems.append(f"alt.csv line {line}: alt_name is empty")
            continue
        seen_alts.add((ent_num, alt_num))
        primary = types.get(ent_num)
        if primary is None:  # a vessel's or aircraft's alias
            continue
        names.append(ListedName(ent_num, alt_num, alt_name, primary.sdn_type, primary.program, _value(row[4])))
    if problems:
        raise SdnMalformed(problems)
    if not entries:
        raise SdnMalformed(["sdn.csv: no entries"])
    digest = hashlib.sha256(sdn)
    digest.update(b"\0")
    digest.update(alt or b"")
    return SdnList(names=names, entries=entries, sha256=digest.hexdigest())


def sdn_files(source: Path) -> tuple[Path, Path | None]:
    """`source` is a directory holding sdn.csv (and alt.csv), or the sdn.csv file itself."""
    sdn = source / "sdn.csv" if source.is_dir() else source
    if not sdn.is_file():
        raise SdnMalformed([f"{sdn}: no such file"])
    alt = sdn.with_name("alt.csv")
    return sdn, alt if alt.is_file() else None


def read_sdn_dir(source: Path) -> SdnList:
    sdn, alt = sdn_files(source)
    return parse_sdn(sdn.read_bytes(), alt.read_bytes() if alt else None)
