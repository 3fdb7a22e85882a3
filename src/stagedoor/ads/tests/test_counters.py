"""Frequency-cap counters, both backends: never past the cap, one viewer's counts apart from another's."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

import pytest
import redis

from stagedoor.ads.counters import CapCounters, DatabaseCapCounters, RedisCapCounters
from stagedoor.ads.models import Campaign

DAY = dt.date(2026, 3, 1)


def _exercise(counters: CapCounters, campaign_id: str) -> None:
    assert [counters.reserve("u:1", DAY, campaign_id, 2) for _ in range(4)] == [True, True, False, False]
    assert counters.reserve("u:2", DAY, campaign_id, 2) is True
    assert counters.reserve("u:1", DAY + dt.timedelta(days=1), campaign_id, 2) is True
    assert counters.reserve("u:1", DAY, campaign_id, 0) is False
    assert counters.served_today("u:1", DAY) == {campaign_id: 2}
    assert counters.served_today("u:3", DAY) == {}


@pytest.mark.django_db
def test_database_counters(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    counters = DatabaseCapCounters()
    _exercise(counters, campaign.pk)
    assert counters.purge_before(DAY + dt.timedelta(days=1)) == 2  # u:1 and u:2 on DAY
    assert counters.served_today("u:1", DAY) == {}


def test_redis_counters(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    prefix = f"test-ads-{secrets.token_hex(4)}:"
    try:
        counters = RedisCapCounters(client, prefix=prefix)
        _exercise(counters, "01CAMPAIGN")
        ttl = client.ttl(f"{prefix}{DAY.isoformat()}:u:1")
        assert 0 < ttl <= 2 * 86400
    finally:
        keys = client.keys(prefix + "*")
        if keys:
            client.delete(*keys)


def test_redis_down_fails_closed() -> None:
    client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    counters = RedisCapCounters(client)
    assert counters.served_today("u:1", DAY) == {}
    assert counters.reserve("u:1", DAY, "01CAMPAIGN", 3) is False
