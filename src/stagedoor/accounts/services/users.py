"""Staff and self-service changes to a user: role, profile, purchase lock."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from stagedoor.accounts.models import (
    User,
)
from stagedoor.accounts.roles import Role
from stagedoor.accounts.services.user_sessions import user_sessions_end_others
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound, ValidationFailed


def user_set_role(*, actor: User, user_id: str, role: str, ip: str = "") -> User:
    if role not in Role.values:
        raise ValidationFailed(extra={"fields": {"role": [f"Unknown role {role!r}."]}})
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound()
        if user.pk == actor.pk:
            raise ValidationFailed("You cannot change your own role.", extra={"fields": {"role": ["own role"]}})
        before = user.role
        user.role = role
        user.save(update_fields=["role"])
        audit_record(actor=actor, action="account.role_changed", target=user, ip=ip, data={"from": before, "to": role})
    return user


def user_update_profile(*, user: User, display_name: str) -> User:
    display_name = (display_name or "").strip()
    if len(display_name) > 60:
        raise ValidationFailed(extra={"fields": {"display_name": ["Use at most 60 characters."]}})
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    return user


def user_lock_purchases(*, user: User, reason: str, actor: Any = None) -> User:
    """Stop `user` from buying tokens (e.g. after a chargeback). Idempotent; audited when it changes."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, purchases_locked=False).update(purchases_locked=True)
        if changed:
            audit_record(actor=actor, action="account.purchases_locked", target=user, data={"reason": reason[:200]})
    user.purchases_locked = True
    return user


def user_make_performer(*, user_id: str, stage_name: str) -> User:
    """An approved performer application (verification decides and audits it): the role, and the stage name as
    the display name."""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            raise NotFound()
        user.role = Role.PERFORMER
        user.display_name = stage_name[:60]
        user.save(update_fields=["role", "display_name"])
    return user


def user_reset_credentials(*, user: User, new_password: str, actor: Any, ip: str = "", reason: str = "") -> User:
    """A new password and no second factor (account recovery after an identity check: the person enrols two-factor
    again at their next sign-in). Audited."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError as DjangoValidationError

    from stagedoor.accounts.models import RecoveryCode

    try:
        validate_password(new_password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed(extra={"fields": {"password": list(exc.messages)}}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.mfa_enabled = False
        user.totp_secret = ""
        user.totp_last_step = 0
        user.failed_logins = 0
        user.locked_until = None
        user.save(
            update_fields=["password", "mfa_enabled", "totp_secret", "totp_last_step", "failed_logins", "locked_until"]
        )
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=actor, action="account.credentials_reset", target=user, ip=ip, data={"reason": reason[:200]})
        user_sessions_end_others(user=user, reason="credentials_reset", actor=actor, ip=ip)
    return user
