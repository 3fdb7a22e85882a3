"""Password login, lock-out after failures, per-IP throttling, and unlocking by staff."""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    User,
)
from stagedoor.accounts.selectors import user_by_email
from stagedoor.accounts.services.hashing import ip_hash
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound
from stagedoor.core.metrics import LOGIN_ATTEMPTS

IP_LOGIN_LIMIT = 20  # attempts per IP per minute
# Failures against logins that name no account are counted in the cache (keyed by a hash of the
# login), so that they lock exactly like real accounts do: same count, same answer, same time left.
UNKNOWN_FAILURES_TTL = 7 * 24 * 3600


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


def _locked(until: datetime) -> errors.AccountLocked:
    """The lock-out refusal, naming the time left ("Try again in 14 minutes")."""
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    message = f"Too many failed attempts; this account is locked. Try again in {minutes} minute{'s' * (minutes != 1)}."
    return errors.AccountLocked(message, extra={"until": until.isoformat(), "minutes": minutes})


def _register_failure(user: User, *, ip: str) -> None:
    cfg = settings.STAGEDOOR
    User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
    user.refresh_from_db(fields=["failed_logins"])
    if user.failed_logins >= cfg.login_max_failures:
        until = timezone.now() + timedelta(seconds=cfg.login_lockout_seconds)
        User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
        audit_record(actor=user, action="auth.locked_out", target=user, ip=ip, data={"until": until.isoformat()})
        LOGIN_ATTEMPTS.labels("locked").inc()
        raise _locked(until)


def _check_not_locked(user: User) -> None:
    if user.locked_until and user.locked_until > timezone.now():
        LOGIN_ATTEMPTS.labels("locked").inc()
        raise _locked(user.locked_until)


def _unknown_key(ident: str) -> str:
    """Cache key prefix for a login that names no account: a keyed hash, never the login itself."""
    digest = hmac.new(settings.SECRET_KEY.encode(), b"login:" + ident.encode(), hashlib.sha256).hexdigest()
    return f"login-unknown:{digest[:40]}"


def _check_unknown_not_locked(key: str) -> None:
    until = cache.get(f"{key}:until")
    if until is not None:
        locked_until = datetime.fromtimestamp(float(until), tz=UTC)
        if locked_until > timezone.now():
            LOGIN_ATTEMPTS.labels("locked").inc()
            raise _locked(locked_until)


def _register_unknown_failure(key: str) -> None:
    """As `_register_failure`, for a login with no account: lock after the same number of failures."""
    cfg = settings.STAGEDOOR
    failures = _bucket_incr(f"{key}:failures", timeout=UNKNOWN_FAILURES_TTL)
    if failures >= cfg.login_max_failures:
        until = timezone.now() + timedelta(seconds=cfg.login_lockout_seconds)
        cache.set(f"{key}:until", until.timestamp(), timeout=cfg.login_lockout_seconds)
        cache.delete(f"{key}:failures")
        LOGIN_ATTEMPTS.labels("locked").inc()
        raise _locked(until)


def user_authenticate(*, login: str, password: str, ip: str) -> User:
    """Check a password. Raises InvalidCredentials, AccountLocked or LoginThrottled.

    A login that names no account answers exactly like a real one with a wrong password: the
    same work (one password hash), the same refusals, and the same lock-out after the same
    number of failures, with the same message. The caller still needs a second factor when
    `user.mfa_enabled`.
    """
    _throttle_ip(ip)
    ident = (login or "").strip().lower()
    user = User.objects.filter(login=ident).first() or (user_by_email(ident) if "@" in ident else None)
    if user is None:
        key = _unknown_key(ident)
        _check_unknown_not_locked(key)
        User().set_password(password or "x")  # same work for unknown logins (no timing oracle)
        LOGIN_ATTEMPTS.labels("invalid").inc()
        _register_unknown_failure(key)
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
