"""core's part of data-subject requests (core.privacy_registry): the audit trail and the outbox.

Export: the audit entries the person made or that name their account (their logins, security events, staff
actions on them). Erasure: audit entries are never edited — the chain's hashes cover them, and they are the
security record staff are accountable by (GDPR Art. 17(3)(b), (e); Art. 32); they name the account by id and by
the login it had at the time. Outbox events are copies of changes made elsewhere: the
person's e-mail address, names and login in their payloads are replaced by the tombstone (events not yet
delivered too: a handler running after the erasure must not bring the old details back).

Registered from `stagedoor.privacy`'s `ready()` (the privacy app owns this registry's wiring), so that core's
`AppConfig` stays as it is.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)

AUDIT_BASIS = "security and accountability log, hash-chained (GDPR Art. 5(2), 17(3)(b), (e), 32)"


def export_core(user: Any) -> ExportData:
    entries = AuditEntry.objects.filter(Q(actor_id=str(user.pk)) | Q(target_id=str(user.pk))).order_by("seq")
    return {
        "audit_trail": rows(entries, ["seq", "created_at", "action", "actor_label", "target_type", "target_id", "ip"])
    }


def _scrub(value: Any, replacements: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        out = value
        for old, new in replacements:
            if old and old.lower() in out.lower():
                start = out.lower().index(old.lower())
                while start >= 0:
                    out = out[:start] + new + out[start + len(old) :]
                    start = out.lower().find(old.lower(), start + len(new))
        return out
    if isinstance(value, dict):
        return {k: _scrub(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    return value


def erase_core(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    user = ctx.user
    needles = [n for n in (user.email, user.display_name, user.login) if n and n != ctx.tombstone]
    replacements = [(user.email, ctx.tombstone_email), (user.display_name, ctx.tombstone), (user.login, ctx.tombstone)]
    if needles:
        text = Cast("payload", TextField())
        match = Q()
        for needle in needles:
            match |= Q(payload_text__icontains=needle)
        events = OutboxEvent.objects.annotate(payload_text=text).filter(match)
        for event in events.only("id", "payload"):
            scrubbed = _scrub(event.payload, [(o, n) for o, n in replacements if o])
            if json.dumps(scrubbed, sort_keys=True) != json.dumps(event.payload, sort_keys=True):
                OutboxEvent.objects.filter(pk=event.pk).update(payload=scrubbed)
                result.changed += 1
    result.keep(
        "audit entries made by or about the account (by id and the login of the time)",
        AUDIT_BASIS,
        AuditEntry.objects.filter(Q(actor_id=str(user.pk)) | Q(target_id=str(user.pk))).count(),
    )
    return result


register_exporter("core", export_core)
register_eraser("core", erase_core)
