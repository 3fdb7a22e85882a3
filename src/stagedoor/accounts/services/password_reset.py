"""Password reset by e-mailed link (no account enumeration)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    User,
)
from stagedoor.accounts.selectors import user_by_email
from stagedoor.accounts.services.user_sessions import user_sessions_end_others
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed


def password_reset_request(*, email: str, ip: str = "") -> None:
    """Mail a reset link if the address has an account. Same outcome either way (no enumeration)."""
    user = user_by_email(email or "", active_only=True)
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.STAGEDOOR.base_url}/password/reset/{uid}/{token}"
    send_mail(
        "Reset your Stagedoor password",
        f"Hello {user.shown_name},\n\nSomeone asked to reset your password. If it was you, open:\n{link}\n\n"
        "The link works for one hour and once only. If it was not you, ignore this message.\n",
        None,
        [user.email],
    )
    audit_record(actor=user, action="auth.password_reset_requested", target=user, ip=ip)


def password_reset_user(*, uid: str, token: str) -> User:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
    except (ValueError, TypeError):
        raise errors.InvalidResetToken() from None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        raise errors.InvalidResetToken()
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str, ip: str = "") -> User:
    user = password_reset_user(uid=uid, token=token)
    try:
        validate_password(new_password or "", user)
    except DjangoValidationError as exc:
        raise ValidationFailed(extra={"fields": {"password": list(exc.messages)}}) from None
    with transaction.atomic():
        user.set_password(new_password)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        audit_record(actor=user, action="auth.password_reset", target=user, ip=ip)
        user_sessions_end_others(user=user, reason="password_reset", ip=ip)
    return user
