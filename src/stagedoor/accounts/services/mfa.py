"""Two-factor: TOTP set-up and verification (each code once), recovery codes."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import pyotp
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    Passkey,
    RecoveryCode,
    User,
)
from stagedoor.accounts.services.hashing import sha256_hex
from stagedoor.accounts.services.login import _check_not_locked, _register_failure
from stagedoor.accounts.services.user_sessions import user_sessions_end_others
from stagedoor.core.audit import audit_record
from stagedoor.core.metrics import LOGIN_ATTEMPTS

ISSUER = "Stagedoor"
RECOVERY_CODE_COUNT = 10


@dataclass(frozen=True)
class MfaSetup:
    secret: str
    uri: str


def mfa_setup_begin(*, user: User) -> MfaSetup:
    if user.mfa_enabled:
        raise errors.MfaAlreadyEnabled()
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    return MfaSetup(secret=secret, uri=pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER))


def _totp_step(user: User, code: str) -> int | None:
    """The time step the code matches (±1 step), or None."""
    if not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    now = int(timezone.now().timestamp())
    for drift in (0, -1, 1):
        at = now + drift * totp.interval
        if hmac.compare_digest(totp.at(at), code):
            return at // totp.interval
    return None


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=sha256_hex(c)) for c in codes])
    return codes


def mfa_setup_confirm(*, user: User, code: str, ip: str = "") -> list[str]:
    """Turn two-factor on if the code matches the pending secret. Returns recovery codes (shown once)."""
    if user.mfa_enabled:
        raise errors.MfaAlreadyEnabled()
    code = (code or "").strip().replace(" ", "")
    step = _totp_step(user, code) if code.isdigit() and len(code) == 6 else None
    if step is None:
        raise errors.InvalidOtp()
    with transaction.atomic():
        user.mfa_enabled = True
        user.totp_last_step = step
        user.save(update_fields=["mfa_enabled", "totp_last_step"])
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.mfa_enabled", target=user, ip=ip)
    return codes


def mfa_verify(*, user: User, code: str, ip: str = "") -> str:
    """Check a TOTP code (each used once) or a recovery code. Returns "totp" or "recovery_code"."""
    if not user.mfa_enabled:
        raise errors.MfaNotEnabled()
    _check_not_locked(user)
    if user.passkey_required and Passkey.objects.filter(user=user).exists():
        raise errors.PasskeyRequired()
    code = (code or "").strip().replace(" ", "").lower()
    if code.isdigit() and len(code) == 6:
        step = _totp_step(user, code)
        # Conditional update: a code (time step) is accepted once, even under a race.
        if step is not None and User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step):
            user.totp_last_step = step
            return "totp"
    elif code:
        with transaction.atomic():
            match = RecoveryCode.objects.filter(user=user, code_hash=sha256_hex(code), used_at__isnull=True).first()
            if match and RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=timezone.now()):
                audit_record(actor=user, action="auth.recovery_code_used", target=user, ip=ip)
                return "recovery_code"
    LOGIN_ATTEMPTS.labels("invalid_otp").inc()
    _register_failure(user, ip=ip)
    raise errors.InvalidOtp()


def mfa_disable(*, user: User, code: str, ip: str = "", keep_session_id: str = "") -> int:
    """Turn two-factor off and sign out every other session. Returns how many were signed out."""
    if user.mfa_required:
        raise errors.MfaCannotDisable()
    mfa_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        passkeys_left = Passkey.objects.filter(user=user).exists()  # they keep two-factor on
        user.mfa_enabled = passkeys_left
        user.totp_secret = ""
        user.save(update_fields=["mfa_enabled", "totp_secret"])
        if not passkeys_left:
            RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=user, action="auth.mfa_disabled", target=user, ip=ip)
        return user_sessions_end_others(user=user, keep_session_id=keep_session_id, reason="mfa_disabled", ip=ip)


def recovery_codes_regenerate(*, user: User, code: str, ip: str = "") -> list[str]:
    mfa_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.recovery_codes_regenerated", target=user, ip=ip)
    return codes
