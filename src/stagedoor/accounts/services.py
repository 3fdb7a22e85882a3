"""Every write to accounts: sign-up, login, two-factor, tokens, consent, applications, roles."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    ApiToken,
    EntryConsent,
    PerformerApplication,
    RecoveryCode,
    User,
    login_validator,
)
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound, ValidationFailed
from stagedoor.core.metrics import LOGIN_ATTEMPTS
from stagedoor.core.outbox import outbox_publish

ISSUER = "Stagedoor"
RECOVERY_CODE_COUNT = 10
IP_LOGIN_LIMIT = 20  # attempts per IP per minute
TOKEN_PREFIX = "sd_"  # noqa: S105 - a public prefix, not a secret


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address, for records that must not keep the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


# --- sign-up ------------------------------------------------------------------------------


def user_signup(*, email: str, login: str, password: str, display_name: str = "", ip: str = "") -> User:
    fields: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    login = (login or "").strip().lower()
    display_name = (display_name or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        fields["email"] = ["Enter a valid e-mail address."]
    try:
        login_validator(login)
    except DjangoValidationError as exc:
        fields["login"] = list(exc.messages)
    if len(display_name) > 60:
        fields["display_name"] = ["Use at most 60 characters."]
    if not fields.get("login") and User.objects.filter(login=login).exists():
        fields["login"] = ["That login is taken."]
    if not fields.get("email") and User.objects.filter(email__iexact=email).exists():
        fields["email"] = ["An account with that e-mail already exists."]
    try:
        validate_password(password or "", User(login=login, email=email, display_name=display_name))
    except DjangoValidationError as exc:
        fields["password"] = list(exc.messages)
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    try:
        with transaction.atomic():
            user = User.objects.create_user(login, email, password, display_name=display_name)
            audit_record(actor=user, action="account.signup", target=user, ip=ip)
            outbox_publish(topic="account.created", payload={"user_id": user.id})
    except IntegrityError:
        raise ValidationFailed(extra={"fields": {"login": ["That login or e-mail is taken."]}}) from None
    return user


def user_create(*, login: str, email: str, password: str, role: str, display_name: str = "", actor: Any = None) -> User:
    """Create an account with a given role (createstaff, demo data). Audited."""
    if role not in Role.values:
        raise ValidationFailed(extra={"fields": {"role": [f"Unknown role {role!r}."]}})
    with transaction.atomic():
        user = User.objects.create_user(login, email, password, role=role, display_name=display_name)
        audit_record(actor=actor or "cli", action="account.created_with_role", target=user, data={"role": role})
    return user


# --- login, lock-out, throttling -----------------------------------------------------------


def _bucket_incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def sliding_window_count(prefix: str, *, window_s: int, now: float) -> float:
    """Count one hit and return the hits in the last `window_s` seconds (sliding-window estimate).

    A fixed window lets a client spend twice the limit across a window boundary (and a test that
    straddles the boundary sees its counter reset). Weighting the previous window by how much
    of it still overlaps the sliding window is the usual O(1)-memory fix: it is exact when hits
    are spread evenly and never under-counts hits made within the last few seconds by more than
    `previous × elapsed / window`.
    """
    window = int(now // window_s)
    current = _bucket_incr(f"{prefix}:{window}", timeout=window_s * 2 + 30)
    previous = cache.get(f"{prefix}:{window - 1}") or 0
    overlap = 1.0 - (now - window * window_s) / window_s
    return current + int(previous) * overlap


def _throttle_ip(ip: str) -> None:
    hits = sliding_window_count(f"login-ip:{ip_hash(ip)[:32]}", window_s=60, now=timezone.now().timestamp())
    if hits > IP_LOGIN_LIMIT:
        LOGIN_ATTEMPTS.labels("throttled").inc()
        raise errors.LoginThrottled()


def _register_failure(user: User, *, ip: str) -> None:
    cfg = settings.STAGEDOOR
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= cfg.login_max_failures:
        until = timezone.now() + timedelta(seconds=cfg.login_lockout_seconds)
        User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        audit_record(actor=user, action="auth.locked_out", target=user, ip=ip, data={"until": until.isoformat()})
        LOGIN_ATTEMPTS.labels("locked").inc()
        raise errors.AccountLocked()


def _check_not_locked(user: User) -> None:
    if user.locked_until and user.locked_until > timezone.now():
        LOGIN_ATTEMPTS.labels("locked").inc()
        raise errors.AccountLocked(extra={"until": user.locked_until.isoformat()})


def user_authenticate(*, login: str, password: str, ip: str) -> User:
    """Check a password. Raises InvalidCredentials, AccountLocked or LoginThrottled.

    The caller still needs a second factor when `user.mfa_enabled`.
    """
    _throttle_ip(ip)
    ident = (login or "").strip().lower()
    user = User.objects.filter(login=ident).first() or (
        User.objects.filter(email__iexact=ident).first() if "@" in ident else None
    )
    if user is None:
        User().set_password(password or "x")  # same work for unknown logins (no timing oracle)
        LOGIN_ATTEMPTS.labels("invalid").inc()
        raise errors.InvalidCredentials()
    _check_not_locked(user)
    if not user.is_active or not user.check_password(password or ""):
        LOGIN_ATTEMPTS.labels("invalid").inc()
        _register_failure(user, ip=ip)
        raise errors.InvalidCredentials()
    return user


def user_login_succeeded(*, user: User, ip: str, method: str) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
    audit_record(actor=user, action="auth.login", target=user, ip=ip, data={"method": method})
    LOGIN_ATTEMPTS.labels("ok").inc()


def user_unlock(*, actor: User, user_id: str, ip: str = "") -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        audit_record(actor=actor, action="account.unlocked", target=user, ip=ip)
    user.refresh_from_db()
    return user


# --- two-factor ----------------------------------------------------------------------------


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
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_sha256(c)) for c in codes])
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
    code = (code or "").strip().replace(" ", "").lower()
    if code.isdigit() and len(code) == 6:
        step = _totp_step(user, code)
        # Conditional update: a code (time step) is accepted once, even under a race.
        if step is not None and User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step):
            user.totp_last_step = step
            return "totp"
    elif code:
        with transaction.atomic():
            match = RecoveryCode.objects.filter(user=user, code_hash=_sha256(code), used_at__isnull=True).first()
            if match and RecoveryCode.objects.filter(pk=match.pk, used_at__isnull=True).update(used_at=timezone.now()):
                audit_record(actor=user, action="auth.recovery_code_used", target=user, ip=ip)
                return "recovery_code"
    LOGIN_ATTEMPTS.labels("invalid_otp").inc()
    _register_failure(user, ip=ip)
    raise errors.InvalidOtp()


def mfa_disable(*, user: User, code: str, ip: str = "") -> None:
    if user.mfa_required:
        raise errors.MfaCannotDisable()
    mfa_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        user.mfa_enabled = False
        user.totp_secret = ""
        user.save(update_fields=["mfa_enabled", "totp_secret"])
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=user, action="auth.mfa_disabled", target=user, ip=ip)


def recovery_codes_regenerate(*, user: User, code: str, ip: str = "") -> list[str]:
    mfa_verify(user=user, code=code, ip=ip)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.recovery_codes_regenerated", target=user, ip=ip)
    return codes


# --- API tokens ----------------------------------------------------------------------------


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
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, token_hash=_sha256(plaintext))
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
    if token is None or not hmac.compare_digest(token.token_hash, _sha256(plaintext)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- password reset ------------------------------------------------------------------------


def password_reset_request(*, email: str, ip: str = "") -> None:
    """Mail a reset link if the address has an account. Same outcome either way (no enumeration)."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
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
    return user


# --- entry consent -------------------------------------------------------------------------


def entry_consent_record(
    *, user: User | None, session_key: str, age_confirmed: bool, terms_accepted: bool, ip: str, user_agent: str
) -> EntryConsent:
    if not age_confirmed or not terms_accepted:
        missing = {}
        if not age_confirmed:
            missing["age_confirmed"] = ["Confirm that you are an adult."]
        if not terms_accepted:
            missing["terms_accepted"] = ["Accept the terms to continue."]
        raise ValidationFailed("Confirm your age and accept the terms to enter.", extra={"fields": missing})
    return EntryConsent.objects.create(
        user=user,
        session_key=session_key[:64],
        terms_version=settings.STAGEDOOR.terms_version,
        age_confirmed=True,
        ip_hash=ip_hash(ip),
        user_agent=(user_agent or "")[:300],
    )


def entry_consent_adopt(*, session_key: str, user: User) -> int:
    """Attach consent given anonymously in this session to the account that just signed in."""
    return EntryConsent.objects.filter(session_key=session_key[:64], user__isnull=True).update(user=user)


# --- performer applications and roles ------------------------------------------------------


def performer_apply(*, user: User, stage_name: str, country: str) -> PerformerApplication:
    stage_name = (stage_name or "").strip()
    country = (country or "").strip().upper()
    fields: dict[str, list[str]] = {}
    if not 2 <= len(stage_name) <= 60:
        fields["stage_name"] = ["Use 2–60 characters."]
    if len(country) != 2 or not country.isalpha():
        fields["country"] = ["Use a two-letter country code (ISO 3166-1)."]
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    if user.role == Role.PERFORMER:
        raise errors.ApplicationDecided("You are already a performer.")
    try:
        with transaction.atomic():
            application = PerformerApplication.objects.create(user=user, stage_name=stage_name, country=country)
            outbox_publish(topic="performer.applied", payload={"application_id": application.id})
    except IntegrityError:
        raise errors.ApplicationExists() from None
    return application


def performer_application_decide(
    *, actor: User, application_id: str, approve: bool, note: str = "", ip: str = ""
) -> PerformerApplication:
    with transaction.atomic():
        application = (
            PerformerApplication.objects.select_for_update().select_related("user").filter(pk=application_id).first()
        )
        if application is None:
            raise NotFound()
        if application.status != PerformerApplication.Status.PENDING:
            raise errors.ApplicationDecided()
        application.status = PerformerApplication.Status.APPROVED if approve else PerformerApplication.Status.REJECTED
        application.note = (note or "")[:2000]
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        if approve:
            user = application.user
            user.role = Role.PERFORMER
            user.display_name = application.stage_name
            user.save(update_fields=["role", "display_name"])
        audit_record(
            actor=actor,
            action="performer.application_approved" if approve else "performer.application_rejected",
            target=application,
            ip=ip,
            data={"user_id": application.user_id, "note": application.note},
        )
        outbox_publish(
            topic="performer.application_decided",
            payload={"application_id": application.id, "approved": approve},
        )
    return application


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
