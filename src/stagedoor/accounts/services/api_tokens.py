"""Personal API tokens: created once (shown once), stored hashed, revoked, authenticated."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    ApiToken,
    User,
)
from stagedoor.accounts.services.hashing import sha256_hex
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound, ValidationFailed

TOKEN_PREFIX = "sd_"  # noqa: S105 - a public prefix, not a secret


def api_token_create(*, user: User, name: str, ip: str = "") -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise ValidationFailed(extra={"fields": {"name": ["Give the token a name of 1–80 characters."]}})
    if user.mfa_required and not user.mfa_enabled:
        raise errors.MfaRequired()
    prefix = secrets.token_hex(5)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secret}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, token_hash=sha256_hex(plaintext))
        audit_record(actor=user, action="auth.api_token_created", target=token, ip=ip, data={"name": name})
    return token, plaintext


def api_token_revoke(*, user: User, token_id: str, ip: str = "") -> None:
    token = ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound("No such active token.")
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit_record(actor=user, action="auth.api_token_revoked", target=token, ip=ip)


def api_token_authenticate(plaintext: str) -> User | None:
    if not plaintext.startswith(TOKEN_PREFIX) or plaintext.count("_") < 2:
        return None
    prefix = plaintext[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.token_hash, sha256_hex(plaintext)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
