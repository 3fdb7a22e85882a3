"""Rate limits: token buckets (per user per room, per IP) with a mute, and slow mode.

Pure: the caller passes ``now`` (monotonic seconds). Defaults follow Owncast: three
messages per two seconds, then a ten-second mute. State is per node; a user spread over
several nodes of the same room would get one budget per node (the gateway keeps a
room's sockets on whatever node the balancer picked, so in practice one).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Final

from stagedoor.chat import codes as C

DEFAULT_BURST: Final = 3
DEFAULT_PER_SECONDS: Final = 2.0
DEFAULT_MUTE_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True)
class RateRefusal:
    code: str
    retry_after: float


class _Bucket:
    __slots__ = ("muted_until", "stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp
        self.muted_until = 0.0


class TokenBucketLimiter:
    """``burst`` messages, refilled at ``burst / per_seconds`` per second, per key.

    With ``mute_seconds`` > 0, running dry mutes the key for that long (every attempt is
    refused with ``chat.muted``); otherwise the refusal is ``chat.rate_limited`` with the
    time until the next token.
    """

    def __init__(
        self,
        *,
        burst: int = DEFAULT_BURST,
        per_seconds: float = DEFAULT_PER_SECONDS,
        mute_seconds: float = DEFAULT_MUTE_SECONDS,
        max_keys: int = 200_000,
    ) -> None:
        if burst < 1 or per_seconds <= 0:
            raise ValueError("burst >= 1 and per_seconds > 0")
        self.burst = float(burst)
        self.rate = burst / per_seconds
        self.mute_seconds = mute_seconds
        self.max_keys = max_keys
        self._buckets: dict[Hashable, _Bucket] = {}

    def hit(self, key: Hashable, now: float) -> RateRefusal | None:
        b = self._buckets.get(key)
        if b is None:
            if len(self._buckets) >= self.max_keys:
                self.prune(now)
            b = self._buckets[key] = _Bucket(self.burst, now)
        if b.muted_until > now:
            return RateRefusal(C.ERR_MUTED, b.muted_until - now)
        b.tokens = min(self.burst, b.tokens + (now - b.stamp) * self.rate)
        b.stamp = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return None
        if self.mute_seconds > 0:
            b.muted_until = now + self.mute_seconds
            b.tokens = 0.0
            return RateRefusal(C.ERR_MUTED, self.mute_seconds)
        return RateRefusal(C.ERR_RATE_LIMITED, (1.0 - b.tokens) / self.rate)

    def prune(self, now: float) -> int:
        """Forget keys that are full again and not muted. Returns how many were dropped."""
        full_after = self.burst / self.rate
        dead = [k for k, b in self._buckets.items() if b.muted_until <= now and now - b.stamp >= full_after]
        for k in dead:
            del self._buckets[k]
        return len(dead)

    def __len__(self) -> int:
        return len(self._buckets)


class SlowMode:
    """At most one message per ``seconds`` per key (room, user). ``seconds`` per call so a
    room's setting can change at any time."""

    def __init__(self, max_keys: int = 200_000) -> None:
        self._last: dict[Hashable, float] = {}
        self.max_keys = max_keys

    def hit(self, key: Hashable, seconds: int, now: float) -> RateRefusal | None:
        if seconds <= 0:
            return None
        last = self._last.get(key)
        if last is not None and now - last < seconds:
            return RateRefusal(C.ERR_SLOW_MODE, seconds - (now - last))
        if last is None and len(self._last) >= self.max_keys:
            self.prune(now, C.SLOW_MODE_MAX_SECONDS)
        self._last[key] = now
        return None

    def prune(self, now: float, horizon: float) -> None:
        for k in [k for k, t in self._last.items() if now - t >= horizon]:
            del self._last[k]
