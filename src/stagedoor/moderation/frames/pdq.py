"""PDQ perceptual hashes (the ``pdqhash`` package) and matching against the operator's hash lists.

A hash is 256 bits, written as 64 hex digits in the reference format (ThreatExchange's
``Hash256::format``: the most significant bit first), so lists from industry hash-sharing
programmes load as they are. Matching is Hamming distance ≤ a threshold (31 by default, the
reference recommendation): the list is kept as four ``uint64`` columns; each of a frame's hashes is
XORed against a whole column at once and the set bits counted (``numpy.bitwise_count``), so ten
frame hashes against 10,000 listed ones take ~0.2 ms.

PDQ's dihedral variants (the frame rotated and mirrored) cost nothing extra to compute and make a
mirrored copy match too. PDQ is fragile to cropping (2 % off each edge already moves a hash by
~25–55 bits); a cropped copy is an original whose border is missing, so the frame is also hashed
with its edges stretched back out by 2 % and 4 % (``cv2.BORDER_REPLICATE``), which brings copies
cropped by up to ~3 % per edge back within the threshold (see the tests for the measured margins).

Lists come in as ``(list_name, kind, hash_hex, ref[, owner])`` rows, ``kind`` one of
``prohibited`` (known prohibited content: a match ends the stream), ``removed`` (content
moderators removed before), ``leaked`` (a performer's own leaked-content list; ``owner`` is their
room, where a match is not a leak).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pdqhash

from stagedoor.core.errors import ApplicationError

HASH_BITS = 256
HEX_DIGITS = HASH_BITS // 4
DEFAULT_MAX_DISTANCE = 31
MIN_QUALITY = 50  # PDQ's own advice: below this a hash says little (flat or featureless frames)
HASH_MAX_SIDE = 384  # frames are reduced to this before hashing (PDQ works on a 64×64 reduction anyway)
DIHEDRAL = ("original", "rotate90", "rotate180", "rotate270", "flip_x", "flip_y", "flip_plus1", "flip_minus1")
UNCROP_PADS = (0.02, 0.04)  # edge stretches hashed as well, as fractions of the frame's width and height
_BLOCK = 16_384  # list rows compared per step (bounds the temporary arrays for very long lists)

type Packed = npt.NDArray[np.uint64]  # shape (4,) for one hash, (k, 4) for several


class ListKind(StrEnum):
    PROHIBITED = "prohibited"
    REMOVED = "removed"
    LEAKED = "leaked"


class HashFormatError(ApplicationError):
    code = "moderation.hash_malformed"
    default_message = "A PDQ hash is 64 hexadecimal digits."


class HashFileError(ApplicationError):
    code = "moderation.hash_file_malformed"
    default_message = "The hash list file could not be read."


@dataclass(frozen=True, slots=True)
class HashEntry:
    list_name: str
    kind: ListKind
    hash_hex: str
    ref: str = ""
    owner: str = ""  # leaked lists: the room whose content it is


@dataclass(frozen=True, slots=True)
class HashMatch:
    list_name: str
    kind: ListKind
    ref: str
    hash_hex: str  # the listed hash
    distance: int
    variant: str  # which of the frame's hashes matched: "original", a rotation/mirror, or an "uncrop" stretch
    owner: str = ""


@dataclass(frozen=True, slots=True)
class FrameHash:
    hashes: Packed  # (k, 4): the frame's hash, then its other variants
    quality: int  # 0–100
    variants: tuple[str, ...] = ("original",)  # what each row of ``hashes`` is

    @property
    def hex(self) -> str:
        return to_hex(self.hashes[0])


# ----- one hash ---------------------------------------------------------------------------


def _pack(bits: npt.NDArray[np.integer]) -> Packed:
    """pdqhash's 256-entry bit vector (most significant bit first) → 4 words."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).view(np.uint64)


def from_hex(text: str) -> Packed:
    value = text.strip().lower()
    if len(value) != HEX_DIGITS or any(c not in "0123456789abcdef" for c in value):
        shown = value if len(value) <= 80 else value[:77] + "..."
        raise HashFormatError(f"expected 64 hexadecimal digits, got {shown!r}", extra={"hash": shown})
    return np.frombuffer(bytes.fromhex(value), dtype=np.uint64).copy()


def to_hex(packed: Packed) -> str:
    return np.ascontiguousarray(packed, dtype=np.uint64).tobytes().hex()


def hamming(a: str | Packed, b: str | Packed) -> int:
    left = from_hex(a) if isinstance(a, str) else a
    right = from_hex(b) if isinstance(b, str) else b
    return int(np.bitwise_count(left ^ right).sum())


def hash_image(
    image: npt.NDArray[np.uint8],
    *,
    dihedral: bool = True,
    uncrop: tuple[float, ...] = UNCROP_PADS,
    bgr: bool = True,
) -> FrameHash:
    """PDQ of an image (BGR as OpenCV decodes, or RGB with ``bgr=False``): the hash itself, its seven
    rotations and mirrors with ``dihedral``, and one hash per ``uncrop`` edge stretch."""
    height, width = image.shape[:2]
    long_side = max(width, height)
    if long_side > HASH_MAX_SIDE:
        ratio = HASH_MAX_SIDE / long_side
        size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
        height, width = image.shape[:2]
    rgb = image[:, :, ::-1] if bgr else image
    rows: list[Packed] = []
    if dihedral:
        vectors, quality = pdqhash.compute_dihedral(rgb)
        rows += [_pack(v) for v in vectors]
        names = list(DIHEDRAL)
    else:
        vector, quality = pdqhash.compute(rgb)
        rows.append(_pack(vector))
        names = ["original"]
    for pad in uncrop:
        px, py = round(width * pad), round(height * pad)
        stretched = cv2.copyMakeBorder(image, py, py, px, px, cv2.BORDER_REPLICATE)
        rows.append(_pack(pdqhash.compute(stretched[:, :, ::-1] if bgr else stretched)[0]))
        names.append(f"uncrop{round(pad * 100)}")
    return FrameHash(np.stack(rows), int(quality), tuple(names))


# ----- lists ------------------------------------------------------------------------------


def _entry(row: HashEntry | tuple[str, ...]) -> HashEntry:
    if isinstance(row, HashEntry):
        return row
    if len(row) not in (4, 5):
        raise HashFormatError(
            "a hash list row is (list_name, kind, hash_hex, ref[, owner])", extra={"row": repr(row)[:200]}
        )
    try:
        kind = ListKind(row[1])
    except ValueError:
        kinds = ", ".join(k.value for k in ListKind)
        raise HashFormatError(f"unknown list kind {row[1]!r} (expected {kinds})", extra={"kind": row[1]}) from None
    return HashEntry(row[0], kind, row[2].strip().lower(), row[3], row[4] if len(row) == 5 else "")


class HashIndex:
    """Every listed hash in one array; ``match`` compares a frame against all of them at once."""

    def __init__(
        self, rows: Iterable[HashEntry | tuple[str, ...]] = (), *, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> None:
        if not 0 <= max_distance <= HASH_BITS:
            raise ValueError(f"max_distance must be between 0 and {HASH_BITS}, got {max_distance}")
        self.max_distance = max_distance
        self.entries: list[HashEntry] = [_entry(row) for row in rows]
        table = np.zeros((len(self.entries), 4), dtype=np.uint64)
        for i, entry in enumerate(self.entries):
            table[i] = from_hex(entry.hash_hex)
        self._columns = [np.ascontiguousarray(table[:, word]) for word in range(4)]

    def __len__(self) -> int:
        return len(self.entries)

    def counts(self) -> dict[str, int]:
        """Listed hashes per kind (for metrics and the console)."""
        out = {kind.value: 0 for kind in ListKind}
        for entry in self.entries:
            out[entry.kind.value] += 1
        return out

    def match(self, frame: FrameHash | Packed) -> list[HashMatch]:
        """Listed hashes within ``max_distance`` of any of the frame's hashes: prohibited first, then
        closest first."""
        if isinstance(frame, FrameHash):
            hashes, names = frame.hashes, frame.variants
        else:
            hashes = np.atleast_2d(frame)
            names = ("original", *(f"variant{i}" for i in range(1, len(hashes))))
        found: list[HashMatch] = []
        for start in range(0, len(self.entries), _BLOCK):
            stop = min(start + _BLOCK, len(self.entries))
            columns = [column[start:stop] for column in self._columns]
            distances = np.bitwise_count(hashes[:, 0, None] ^ columns[0][None, :]).astype(np.uint16)
            for word in (1, 2, 3):
                distances += np.bitwise_count(hashes[:, word, None] ^ columns[word][None, :])
            variant = distances.argmin(axis=0)
            closest = distances[variant, np.arange(stop - start)]
            for i in np.flatnonzero(closest <= self.max_distance):
                entry = self.entries[start + int(i)]
                found.append(
                    HashMatch(
                        entry.list_name,
                        entry.kind,
                        entry.ref,
                        entry.hash_hex,
                        int(closest[i]),
                        names[int(variant[i])],
                        entry.owner,
                    )
                )
        order = {kind: rank for rank, kind in enumerate(ListKind)}
        found.sort(key=lambda m: (m.kind is not ListKind.PROHIBITED, m.distance, order[m.kind]))
        return found


def load_hash_file(path: str | Path, *, list_name: str, kind: ListKind | str, owner: str = "") -> list[HashEntry]:
    """An operator's list: one ``hash_hex[,ref]`` per line; blank lines and ``#`` comments are skipped.
    A malformed line is an error naming the file and line number; nothing is loaded then."""
    try:
        kind = ListKind(kind)
    except ValueError:
        raise HashFileError(f"unknown list kind {kind!r}", extra={"path": str(path)}) from None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HashFileError(f"{path}: cannot read it: {exc}", extra={"path": str(path)}) from None
    entries: list[HashEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        hash_hex, _, ref = line.partition(",")
        try:
            from_hex(hash_hex)
        except HashFormatError as exc:
            raise HashFileError(
                f"{path}, line {number}: {exc.message}", extra={"path": str(path), "line": number}
            ) from None
        entries.append(HashEntry(list_name, kind, hash_hex.strip().lower(), ref.strip(), owner))
    return entries
