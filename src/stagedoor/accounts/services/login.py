"""Password login, lock-out after failures, per-IP throttling, and unlocking by staff."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from stagedoor.accounts import errors
from stagedoor.accounts.models import (
    User,
)
from stagedoor.accounts.services.hashing import ip_hash
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import NotFound
from stagedoor.core.metrics import LOGIN_ATTEMPTS

IP_LOGIN_LIMIT = 20  # attempts per IP per minute


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
