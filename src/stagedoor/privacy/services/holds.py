"""Legal holds: placed on an account or a case by compliance, with a reason and an expiry; audited."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish
from stagedoor.privacy import errors, events
from stagedoor.privacy.models import LegalHold

# What a hold may name besides an account: "<app>.<model>" of a case or record.
TARGET_TYPES = ("moderation.case", "support.ticket", "verification.verification", "payouts.screeningcase")


def _payload(hold: LegalHold) -> events.HoldPayload:
    return {
        "hold_id": hold.pk,
        "user_id": str(hold.user_id or ""),
        "target_type": hold.target_type,
        "target_id": hold.target_id,
    }


def legal_hold_place(
    *,
    actor: User,
    reason: str,
    user: User | None = None,
    target_type: str = "",
    target_id: str = "",
    expires_at: datetime | None = None,
    ip: str = "",
) -> LegalHold:
    reason = (reason or "").strip()
    target_type = (target_type or "").strip()
    target_id = (target_id or "").strip()
    now = timezone.now()
    problems: dict[str, list[str]] = {}
    if not 5 <= len(reason) <= 2000:
        problems["reason"] = ["Give the reason in 5–2000 characters."]
    if user is None and not target_type:
        problems["user"] = ["Name an account or a case."]
    if target_type and target_type not in TARGET_TYPES:
        problems["target_type"] = [f"One of {', '.join(TARGET_TYPES)}."]
    if target_type and not 1 <= len(target_id) <= 64:
        problems["target_id"] = ["Give the case's id."]
    if expires_at is not None and expires_at <= now:
        problems["expires_at"] = ["The expiry must be in the future."]
    if problems:
        raise errors.InvalidHold(extra={"fields": problems})
    with transaction.atomic():
        hold = LegalHold.objects.create(
            user=user,
            target_type=target_type,
            target_id=target_id,
            reason=reason,
            placed_by=actor,
            placed_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            action="privacy.hold_placed",
            target=hold,
            ip=ip,
            data={
                "user_id": str(hold.user_id or ""),
                "target_type": target_type,
                "target_id": target_id,
                "expires_at": expires_at.isoformat() if expires_at else None,
                "reason": reason,
            },
        )
        outbox_publish(topic=events.HOLD_PLACED, payload=_payload(hold))
    return hold


def legal_hold_release(*, actor: User, hold_id: str, reason: str, ip: str = "") -> LegalHold:
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 2000:
        raise errors.InvalidHold(extra={"fields": {"reason": ["Give the reason in 5–2000 characters."]}})
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise errors.HoldNotFound()
        if hold.released_at is not None:
            raise errors.HoldReleased()
        hold.released_at = timezone.now()
        hold.released_by = actor
        hold.release_reason = reason
        hold.save(update_fields=["released_at", "released_by", "release_reason"])
        audit_record(actor=actor, action="privacy.hold_released", target=hold, ip=ip, data={"reason": reason})
        outbox_publish(topic=events.HOLD_RELEASED, payload=_payload(hold))
    return hold
