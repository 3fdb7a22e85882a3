"""The audit log: append and verify the hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from stagedoor.core.hashing import keyed_hash
from stagedoor.core.metrics import AUDIT_ENTRIES
from stagedoor.core.models import AuditEntry, AuditHead

GENESIS = "0" * 64
CHAIN_VERSION = 2  # see AuditEntry.chain_version


def _ip_in_chain(ip: str, secret: str | None = None) -> str:
    """What a version-2 row's hash covers instead of its address: a keyed hash of it ("" for none)."""
    if not ip:
        return ""
    return keyed_hash(f"stagedoor.audit.ip.v1|{ip}", secret=secret)


def _canonical(entry: AuditEntry, secret: str | None = None) -> bytes:
    body: dict[str, Any] = {
        "seq": entry.seq,
        "created_at": entry.created_at.isoformat(),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "ip": entry.ip,
        "data": entry.data,
    }
    if entry.chain_version >= 2:
        body["v"] = entry.chain_version
        body["ip"] = _ip_in_chain(entry.ip, secret)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def entry_hash(prev_hash: str, entry: AuditEntry, *, secret: str | None = None) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(entry, secret)).hexdigest()


def _hash_matches(row: AuditEntry) -> bool:
    if entry_hash(row.prev_hash, row) == row.hash:
        return True
    if row.chain_version >= 2 and row.ip:  # written before a SECRET_KEY change (the old key kept as a fallback)
        fallbacks = [k if isinstance(k, str) else k.decode() for k in settings.SECRET_KEY_FALLBACKS]
        return any(entry_hash(row.prev_hash, row, secret=old) == row.hash for old in fallbacks)
    return False


def _actor_fields(actor: Any) -> tuple[str, str]:
    if actor is None:
        return "", "system"
    if isinstance(actor, str):
        return "", actor
    pk = getattr(actor, "pk", None)
    label = getattr(actor, "login", None) or str(actor)
    return (str(pk) if pk is not None else ""), str(label)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    ip: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Runs in (or opens) a transaction and locks the chain head."""
    actor_id, actor_label = _actor_fields(actor)
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    payload = json.loads(json.dumps(data or {}, default=str))
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1)
            head = AuditHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            data=payload,
            prev_hash=head.last_hash,
            chain_version=CHAIN_VERSION,
        )
        entry.hash = entry_hash(head.last_hash, entry)
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    AUDIT_ENTRIES.labels(action).inc()
    return entry


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"audit row {self.seq}: {self.problem}"


def audit_verify(*, batch: int = 2000) -> Iterator[AuditProblem | int]:
    """Yield problems as found, and the count of rows checked (ints) for progress."""
    head = AuditHead.objects.filter(pk=1).first()
    expected_seq = 1
    prev = GENESIS
    checked = 0
    last_seq = 0
    while True:
        rows = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                missing = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}–{row.seq - 1}"
                yield AuditProblem(expected_seq, f"missing (rows {missing} deleted)")
                expected_seq = row.seq
            if row.prev_hash != prev:
                yield AuditProblem(row.seq, "prev_hash does not match the row before it (chain broken)")
            if not _hash_matches(row):
                yield AuditProblem(row.seq, "contents do not match its hash (row edited)")
            prev = row.hash
            last_seq = row.seq
            expected_seq = row.seq + 1
            checked += 1
        yield checked
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS
    if head_seq > last_seq:
        yield AuditProblem(last_seq + 1, f"missing (rows {last_seq + 1}–{head_seq} deleted from the end)")
    elif head_seq < last_seq:
        yield AuditProblem(head_seq + 1, "rows beyond the chain head (inserted out of band)")
    elif head_hash != prev:
        yield AuditProblem(last_seq, "chain head hash does not match the last row")


def audit_entries(*, after_seq: int = 0, limit: int = 100) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq")[:limit])


# --- reads for the staff console -------------------------------------------------------------


def audit_log(*, action: str = "", actor: str = "", before_seq: int | None = None, limit: int = 50) -> list[AuditEntry]:
    """Newest first. `action`: an action or its prefix ("auth." for every login event); `actor`: a login
    (the label recorded) or a user id."""
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(Q(actor_label=actor) | Q(actor_id=actor))
    if before_seq is not None:
        qs = qs.filter(seq__lt=before_seq)
    return list(qs.order_by("-seq")[: max(1, min(limit, 500))])


def audit_trail(subject_id: str, *, related_ids: Iterable[str] = (), limit: int = 30) -> list[AuditEntry]:
    """What a user did and what was done to them (their logins, lock-outs, staff actions on them or on the
    records in `related_ids`, e.g. their performer applications), newest first."""
    qs = AuditEntry.objects.filter(Q(actor_id=subject_id) | Q(target_id__in=[subject_id, *related_ids]))
    return list(qs.order_by("-seq")[: max(1, min(limit, 500))])


def audit_actions() -> list[str]:
    """Every action recorded so far, for the console's filter."""
    return sorted(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


@dataclass(frozen=True)
class AuditReport:
    checked: int
    problems: list[AuditProblem]  # the first `max_problems` found

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify_report(*, max_problems: int = 100) -> AuditReport:
    """`audit verify`'s result in one value: rows checked and the problems found (the chain is read to the
    end; only the first `max_problems` are kept)."""
    checked = 0
    problems: list[AuditProblem] = []
    for item in audit_verify():
        if isinstance(item, AuditProblem):
            if len(problems) < max_problems:
                problems.append(item)
        else:
            checked = item
    return AuditReport(checked=checked, problems=problems)
