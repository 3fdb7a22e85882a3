"""Rate limits on authentication and money endpoints, shared by every node.

A sliding-window counter per (rule, caller): the caller is the signed-in user, else the API token, else a keyed
hash of the IP address. With `STAGEDOOR_REDIS_URL` set the counters live in Redis (one atomic script per hit), so
the limit holds across every web process; without it they live in the process's cache (the embedded default runs
one process). Rules match a route by method and path, pages and API alike, so an app's endpoint is limited
without that app knowing; operators change a limit with `STAGEDOOR_RATE_LIMITS="tip=600/60,login=off"`.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import time
from dataclasses import dataclass, replace
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from prometheus_client import Counter

KEY_PREFIX = "rl:"
log = logging.getLogger("stagedoor.ratelimit")
RATE_LIMITED = Counter("stagedoor_rate_limited_total", "Requests refused by a rate limit", ["rule"])


@dataclass(frozen=True)
class Rule:
    name: str
    methods: frozenset[str]
    path: re.Pattern[str]
    limit: int
    window_s: int

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and self.path.fullmatch(path) is not None


def _rule(name: str, methods: str, path: str, limit: int, window_s: int) -> Rule:
    return Rule(name, frozenset(methods.split()), re.compile(path), limit, window_s)


# Generous enough for a person (and for the ledger bench's 100 tipping clients), tight enough to stop a script.
DEFAULT_RULES: tuple[Rule, ...] = (
    _rule("login", "POST", r"/api/v1/auth/login|/login", 30, 60),
    _rule("mfa", "POST", r"/login/2fa|/api/v1/me/mfa/[a-z-]+|/account/2fa/setup|/account/recovery-codes", 10, 60),
    _rule("passkey", "POST", r"/api/v1/(me/passkeys|auth/passkey)[a-z/-]*|/account/passkeys[a-z/-]*", 20, 60),
    _rule("signup", "POST", r"/api/v1/auth/signup|/signup", 10, 600),
    _rule("password_reset", "POST", r"/api/v1/auth/password-reset(/confirm)?|/password/reset(/[^/]+/[^/]+)?", 10, 900),
    _rule("password_change", "POST", r"/api/v1/me/password|/account/password", 10, 600),
    _rule("api_token", "POST", r"/api/v1/me/tokens|/account/tokens", 20, 3600),
    _rule("tip", "POST", r"/api/v1/tips|/tip/[^/]+", 300, 60),
    _rule("purchase", "POST", r"/api/v1/purchases|/wallet/buy", 20, 600),
    _rule("payout_method", "POST PUT", r"/api/v1/me/payout-method|/studio/payout-method", 10, 3600),
    _rule("show_join", "POST", r"/api/v1/shows/[^/]+/(join|spy|ticket)|/api/v1/shows/tickets", 60, 60),
    _rule("club_join", "POST", r"/api/v1/fans/clubs/[^/]+/join|/fans/[^/]+/join", 20, 600),
    _rule("referral_click", "GET", r"/ref/[^/]+", 120, 60),
)


def parse_overrides(text: str, rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """Apply `name=limit/window_s` or `name=off` overrides (comma-separated); an unknown name is an error."""
    by_name = {r.name: r for r in rules}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, _, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if name not in by_name:
            raise ValueError(f"STAGEDOOR_RATE_LIMITS: unknown rule {name!r} (known: {', '.join(by_name)})")
        if value == "off":
            del by_name[name]
            continue
        limit, _, window = value.partition("/")
        if not (limit.isdigit() and window.isdigit() and int(limit) > 0 and int(window) > 0):
            raise ValueError(f"STAGEDOOR_RATE_LIMITS: expected {name}=<limit>/<seconds> or {name}=off, got {item!r}")
        by_name[name] = replace(by_name[name], limit=int(limit), window_s=int(window))
    return tuple(by_name.values())


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until one more hit would be allowed (0 when allowed)


def _retry_after(*, current: int, previous: int, limit: int, window_s: int, elapsed: float) -> int:
    """Seconds until `current + 1 + previous × overlap` fits under `limit` (the previous window fading out)."""
    if current + 1 <= limit:
        fade = window_s * (1 - (limit - current - 1) / previous) if previous else 0.0
        wait = fade - elapsed
    else:  # not in this window: in the next one this window's hits are the fading "previous"
        wait = (window_s - elapsed) + window_s * (1 - (limit - 1) / max(current, 1))
    return max(1, math.ceil(wait))


def _estimate(current: int, previous: int, overlap: float) -> float:
    return current + previous * overlap


class Limiter(Protocol):
    def hit(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> Decision: ...


class CacheLimiter:
    """In one process: counters in Django's cache (local memory in the embedded default)."""

    def __init__(self, backend: Any = None) -> None:
        self.cache = backend if backend is not None else cache

    def hit(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        window = int(now // window_s)
        elapsed = now - window * window_s
        current_key = f"{KEY_PREFIX}{key}:{window}"
        self.cache.add(current_key, 0, timeout=window_s * 2 + 5)
        try:
            current = int(self.cache.incr(current_key))
        except ValueError:  # expired between add and incr
            self.cache.set(current_key, 1, timeout=window_s * 2 + 5)
            current = 1
        previous = int(self.cache.get(f"{KEY_PREFIX}{key}:{window - 1}") or 0)
        if _estimate(current, previous, 1 - elapsed / window_s) <= limit:
            return Decision(True, 0)
        self.cache.decr(current_key)  # a refused hit does not count
        return Decision(
            False, _retry_after(current=current - 1, previous=previous, limit=limit, window_s=window_s, elapsed=elapsed)
        )


# Count the hit only if the sliding-window estimate allows it; one round trip, atomic on the Redis server.
_HIT_SCRIPT = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if current + 1 + previous * tonumber(ARGV[2]) > tonumber(ARGV[1]) then
  return {0, current, previous}
end
current = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, current, previous}
"""


class RedisLimiter:
    """Across nodes: counters in Redis, updated by one Lua script per hit."""

    def __init__(self, client: Any, *, prefix: str = KEY_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._script = client.register_script(_HIT_SCRIPT)

    def hit(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        window = int(now // window_s)
        elapsed = now - window * window_s
        keys = [f"{self.prefix}{key}:{window}", f"{self.prefix}{key}:{window - 1}"]
        import redis

        try:
            allowed, current, previous = self._script(
                keys=keys, args=[limit, f"{1 - elapsed / window_s:.6f}", window_s * 2 + 5]
            )
        except redis.RedisError as exc:  # fail open: an outage of the limiter must not stop sign-ins and tips
            log.warning("rate limiter unavailable, request allowed: %s", exc)
            return Decision(True, 0)
        if allowed:
            return Decision(True, 0)
        return Decision(
            False,
            _retry_after(current=int(current), previous=int(previous), limit=limit, window_s=window_s, elapsed=elapsed),
        )


@functools.lru_cache(maxsize=4)
def _redis_limiter(url: str) -> RedisLimiter:
    import redis

    return RedisLimiter(redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3))


def limiter() -> Limiter:
    """Redis when configured, else this process's cache."""
    url = settings.STAGEDOOR.redis_url
    return _redis_limiter(url) if url else CacheLimiter()


@functools.lru_cache(maxsize=8)
def _rules_for(overrides: str) -> tuple[Rule, ...]:
    return parse_overrides(overrides, DEFAULT_RULES)


def rules() -> tuple[Rule, ...]:
    return _rules_for(str(getattr(settings, "STAGEDOOR_RATE_LIMITS", "") or ""))


def rule_for(method: str, path: str) -> Rule | None:
    return next((r for r in rules() if r.matches(method, path)), None)


def caller_key(*, user_id: str | None, bearer: str, ip: str) -> str:
    """Who is counted: the signed-in user, else the API token presented, else a hash of the address."""
    if user_id:
        return f"u:{user_id}"
    if bearer:
        return "t:" + hashlib.sha256(bearer.encode()).hexdigest()[:32]
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:ip:{ip}".encode()).hexdigest()[:32]
    return f"ip:{digest}"
