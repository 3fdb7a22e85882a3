"""Perceptual-hash lists (PDQ) the frame scanner matches every sample against: created and loaded by compliance.

A list file has one hash per line, `hash_hex[,ref]`: 64 hex digits (PDQ's 256 bits), then an optional reference
of up to 120 characters. Blank lines and lines starting with `#` are skipped. One malformed line refuses the whole
file with an error naming the line, and nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.moderation import selectors
from stagedoor.moderation.errors import HashListInvalid
from stagedoor.moderation.models import HashEntry, HashList

HEX_RE = re.compile(r"^[0-9a-f]{64}$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,59}$")
MAX_LINES = 100_000
REF_MAX = 120


def _invalid(field: str, message: str) -> HashListInvalid:
    return HashListInvalid(message, extra={"fields": {field: [message]}})


def hashlist_create(
    *, actor: User, name: str, kind: str, owner_login: str = "", description: str = "", ip: str = ""
) -> HashList:
    require_perm(actor, Perm.MODERATION_HASHLISTS)
    name = name.strip().lower()
    if not NAME_RE.fullmatch(name):
        raise _invalid("name", "Use 2–60 lower-case letters, digits, '-' or '_'.")
    if kind not in HashList.Kind.values:
        raise _invalid("kind", "Choose prohibited, removed or leaked.")
    owner = None
    if kind == HashList.Kind.LEAKED:
        owner = User.objects.filter(login=owner_login.strip().lower(), role=Role.PERFORMER).first()
        if owner is None:
            raise _invalid("owner", "A leaked-content list belongs to a performer: give their login.")
    elif owner_login.strip():
        raise _invalid("owner", "Only a leaked-content list has an owner.")
    if HashList.objects.filter(name=name).exists():
        raise _invalid("name", "A list with this name exists.")
    with transaction.atomic():
        created = HashList.objects.create(
            name=name, kind=kind, owner=owner, description=description.strip()[:200], created_by=actor
        )
        audit_record(
            actor=actor,
            action="moderation.hashlist_created",
            target=created,
            ip=ip,
            data={"name": name, "kind": kind, "owner": str(owner.pk) if owner else None},
        )
    return created


@dataclass(frozen=True)
class LoadResult:
    added: int
    already: int  # lines whose hash was in the list already


def parse_hash_lines(text: str) -> list[tuple[str, str]]:
    """(hash, ref) of each line; HashListInvalid naming the first malformed line."""
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise _invalid("file", f"A file holds at most {MAX_LINES} lines.")
    parsed: list[tuple[str, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        hash_hex, _, ref = (part.strip() for part in line.partition(","))
        hash_hex = hash_hex.lower()
        if not HEX_RE.fullmatch(hash_hex):
            raise _invalid("file", f"Line {number}: expected 64 hex digits (a PDQ hash), got {hash_hex[:70]!r}.")
        if len(ref) > REF_MAX or "," in ref or "\x00" in ref:
            raise _invalid("file", f"Line {number}: the reference must be one field of at most {REF_MAX} characters.")
        parsed.append((hash_hex, ref))
    if not parsed:
        raise _invalid("file", "The file has no hashes.")
    return parsed


def hashlist_entries_load(*, actor: User, list_id: str, text: str, ip: str = "") -> LoadResult:
    """Add the file's hashes to the list (all or nothing); hashes already there are counted, not duplicated."""
    require_perm(actor, Perm.MODERATION_HASHLISTS)
    hash_list = selectors.hash_list_get(list_id)
    parsed = list(dict(parse_hash_lines(text)).items())
    with transaction.atomic():
        present = set(
            HashEntry.objects.filter(hash_list=hash_list, hash_hex__in=[h for h, _ in parsed]).values_list(
                "hash_hex", flat=True
            )
        )
        new = [HashEntry(hash_list=hash_list, hash_hex=h, ref=r) for h, r in parsed if h not in present]
        HashEntry.objects.bulk_create(new, batch_size=1000)
        audit_record(
            actor=actor,
            action="moderation.hashlist_loaded",
            target=hash_list,
            ip=ip,
            data={"added": len(new), "already": len(parsed) - len(new)},
        )
    return LoadResult(len(new), len(parsed) - len(new))
