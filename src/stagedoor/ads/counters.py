"""Frequency-cap counters: ads of a campaign a viewer got today, raised only while under the cap.

Two backends, one contract: `served_today(viewer, day)` reads all of a viewer's counts for the day in one round
trip, `reserve(viewer, day, campaign_id, cap)` raises one count only if it stays within `cap` and says whether it
did — atomically, so two web nodes serving the same viewer at once cannot pass the cap between them.

- database (embedded default): a row per (viewer, day, campaign); `UPDATE … SET count = count + 1 WHERE count < cap`
  or an INSERT a unique constraint guards (the loser of a race retries the UPDATE).
- Redis (when `STAGEDOOR_REDIS_URL` is set): a hash per (viewer, day), one Lua script per reservation, expiring
  two days after its day.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from stagedoor.ads.models import CapCounter

log = logging.getLogger("stagedoor.ads")
KEY_PREFIX = "stagedoor:ads:cap:"
EXPIRE_S = 2 * 86400


class CapCounters(Protocol):
    def served_today(self, viewer: str, day: dt.date) -> dict[str, int]: ...

    def reserve(self, viewer: str, day: dt.date, campaign_id: str, cap: int) -> bool: ...


class DatabaseCapCounters:
    def served_today(self, viewer: str, day: dt.date) -> dict[str, int]:
        return dict(CapCounter.objects.filter(viewer=viewer, day=day).values_list("campaign_id", "count"))

    def reserve(self, viewer: str, day: dt.date, campaign_id: str, cap: int) -> bool:
        if cap <= 0:
            return False
        rows = CapCounter.objects.filter(viewer=viewer, day=day, campaign_id=campaign_id, count__lt=cap)
        if rows.update(count=F("count") + 1):
            return True
        try:
            with transaction.atomic():
                CapCounter.objects.create(viewer=viewer, day=day, campaign_id=campaign_id, count=1)
            return True
        except IntegrityError:  # the row exists: at the cap, or another node inserted it first
            return bool(rows.update(count=F("count") + 1))

    def purge_before(self, day: dt.date) -> int:
        deleted, _ = CapCounter.objects.filter(day__lt=day).delete()
        return deleted


_RESERVE = """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
if n > tonumber(ARGV[2]) then
  redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
  return 0
end
return 1
"""


class RedisCapCounters:
    def __init__(self, client: Any, *, prefix: str = KEY_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._reserve = client.register_script(_RESERVE)

    def _key(self, viewer: str, day: dt.date) -> str:
        return f"{self.prefix}{day.isoformat()}:{viewer}"

    def served_today(self, viewer: str, day: dt.date) -> dict[str, int]:
        import redis

        try:
            raw = self.client.hgetall(self._key(viewer, day))
        except redis.RedisError as exc:  # capped campaigns then fail to reserve (below): they are not served
            log.warning("ad cap counters unavailable: %s", exc)
            return {}
        return {k.decode() if isinstance(k, bytes) else str(k): int(v) for k, v in raw.items()}

    def reserve(self, viewer: str, day: dt.date, campaign_id: str, cap: int) -> bool:
        if cap <= 0:
            return False
        import redis

        try:
            return bool(self._reserve(keys=[self._key(viewer, day)], args=[campaign_id, cap, EXPIRE_S]))
        except redis.RedisError as exc:  # fail closed: a capped campaign is not served while caps cannot be kept
            log.warning("ad cap counters unavailable, capped campaign skipped: %s", exc)
            return False


@functools.lru_cache(maxsize=4)
def _redis_counters(url: str) -> RedisCapCounters:
    import redis

    return RedisCapCounters(redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3))


def cap_counters() -> CapCounters:
    """Redis when configured, else the database."""
    url = settings.STAGEDOOR.redis_url
    return _redis_counters(url) if url else DatabaseCapCounters()
