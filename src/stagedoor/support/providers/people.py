"""The person's account: joined, role, locks; sign-in trouble from the audit log."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.audit import audit_trail
from stagedoor.core.timeline import TimelineEntry

TRAIL_ACTIONS = ("auth.", "account.", "users.", "mfa.", "recovery.")


def account(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    user = User.objects.filter(pk=subject_id).first()
    if user is None:
        return []
    out: list[TimelineEntry] = []
    now = timezone.now()
    if before is None:
        flags = []
        if not user.is_active:
            flags.append("deactivated")
        if user.locked_until and user.locked_until > now:
            flags.append(f"locked until {user.locked_until:%Y-%m-%d %H:%M}")
        if user.purchases_locked:
            flags.append("purchases locked")
        flags.append("two-factor on" if user.mfa_enabled else "two-factor off")
        out.append(
            TimelineEntry(
                at=now,
                source="account",
                kind="account.status",
                title=f"{user.login} — {user.get_role_display()}",
                detail=", ".join(flags),
                url=f"/staff/users/{user.pk}/",
                severity="warning" if len(flags) > 1 else "info",
            )
        )
    if before is None or user.date_joined < before:
        out.append(TimelineEntry(at=user.date_joined, source="account", kind="account.joined", title="Joined"))
    for entry in audit_trail(subject_id, limit=limit):
        if before is not None and entry.created_at >= before:
            continue
        if not entry.action.startswith(TRAIL_ACTIONS):
            continue
        out.append(
            TimelineEntry(
                at=entry.created_at,
                source="account",
                kind=entry.action,
                title=entry.action.replace("_", " "),
                detail=f"by {entry.actor_label}" + (f" from {entry.ip}" if entry.ip else ""),
                severity="warning" if "fail" in entry.action or "lock" in entry.action else "info",
            )
        )
    return out[:limit]
