"""Signed-in sessions as the user sees them: started at login, touched as they are used, revoked one by one or all
but the current one (after a password change or a two-factor reset), and the new-device notice by e-mail."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts import errors, events
from stagedoor.accounts.devices import describe_device, network_of
from stagedoor.accounts.models import User, UserSession
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish

TOUCH_EVERY = timedelta(minutes=5)  # last-seen precision: at most one write per session per five minutes


def _device_hash(user: User, device: str) -> str:
    """Keyed per user, so equal devices of two users cannot be linked by this column."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"device:{user.pk}:{device}".encode(), hashlib.sha256).hexdigest()


def user_session_start(*, user: User, user_agent: str, ip: str, place: str, method: str) -> UserSession:
    """Record a new signed-in session; mail a notice when its device is new for this user (not at sign-up)."""
    device = describe_device(user_agent)
    device_hash = _device_hash(user, device)
    now = timezone.now()
    with transaction.atomic():
        known = UserSession.objects.filter(user=user, device_hash=device_hash).exists()
        record = UserSession.objects.create(
            user=user,
            device=device,
            device_hash=device_hash,
            user_agent=(user_agent or "")[:300],
            place=(place or "")[:8],
            network=network_of(ip),
            method=method[:20],
            last_seen_at=now,
        )
        if not known and method not in ("signup", "resumed"):
            outbox_publish(topic=events.NEW_DEVICE_SIGNIN, payload={"user_id": user.pk, "session_id": record.pk})
    return record


def user_session_touch(*, session_id: str) -> None:
    """Move `last_seen_at` forward (one conditional write at most every five minutes)."""
    now = timezone.now()
    UserSession.objects.filter(pk=session_id, ended_at__isnull=True, last_seen_at__lt=now - TOUCH_EVERY).update(
        last_seen_at=now
    )


def user_session_end(*, session_id: str, reason: str) -> None:
    """The session's own end (sign-out, or found revoked by the middleware): not audited, it is the user's act."""
    UserSession.objects.filter(pk=session_id, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason[:30]
    )


def user_session_revoke(*, user: User, session_id: str, ip: str = "") -> UserSession:
    """Sign one of the user's sessions out (it may be the current one). Audited."""
    with transaction.atomic():
        record = UserSession.objects.select_for_update().filter(pk=session_id, user=user, ended_at__isnull=True).first()
        if record is None:
            raise errors.SessionNotFound()
        record.ended_at = timezone.now()
        record.end_reason = "revoked"
        record.save(update_fields=["ended_at", "end_reason"])
        audit_record(actor=user, action="auth.session_revoked", target=record, ip=ip, data={"device": record.device})
    return record


def user_sessions_end_others(
    *, user: User, keep_session_id: str = "", reason: str, actor: User | None = None, ip: str = ""
) -> int:
    """End every open session of `user` but `keep_session_id` (all of them when empty). Returns how many ended."""
    with transaction.atomic():
        ended = (
            UserSession.objects.filter(user=user, ended_at__isnull=True)
            .exclude(pk=keep_session_id or None)
            .update(ended_at=timezone.now(), end_reason=reason[:30])
        )
        if ended:
            audit_record(
                actor=actor or user,
                action="auth.sessions_ended",
                target=user,
                ip=ip,
                data={"count": ended, "reason": reason[:30]},
            )
    return ended


def user_password_change(
    *, user: User, current_password: str, new_password: str, keep_session_id: str = "", ip: str = ""
) -> int:
    """Change the password (the current one is asked again) and sign out every other session. Returns how many."""
    if not user.check_password(current_password or ""):
        raise errors.WrongPassword()
    try:
        validate_password(new_password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed(extra={"fields": {"password": list(exc.messages)}}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=user, action="auth.password_changed", target=user, ip=ip)
        return user_sessions_end_others(user=user, keep_session_id=keep_session_id, reason="password_changed", ip=ip)
