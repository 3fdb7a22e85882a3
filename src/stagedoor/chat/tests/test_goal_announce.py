"""A reached goal is announced once in the room's chat, naming the goal that starts next."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import redis

from stagedoor.chat import runtime
from stagedoor.chat.tests.test_tip_announce import ring_events
from stagedoor.core.ids import new_id
from stagedoor.rooms import services as room_services
from stagedoor.wallet import services as wallet_services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


def test_reached_goal_is_announced_once_with_the_next_goal(make_user: Any, settings: Any, redis_url: str) -> None:
    settings.STAGEDOOR_FANOUT_BACKEND = "redis"
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url=redis_url)
    runtime._sync_redis = None
    performer = make_user("performer", login="goal_star")
    room = room_services.room_for_performer(performer=performer)
    first = wallet_services.tip_goal_create(performer=performer, title="Warm-up dance", target=50)
    second = wallet_services.tip_goal_create(performer=performer, title="Karaoke hour", target=300)
    viewer = make_user(login="big_fan")
    wallet_services.purchase_credit(
        buyer=viewer, tokens=500, purchase_id=new_id(), price_minor=5000, currency="USD", provider="test"
    )
    client = redis.Redis.from_url(redis_url)
    keys = (runtime.KEY_PREFIX + "ring:" + room.slug, runtime.KEY_PREFIX + "seq:" + room.slug)
    client.delete(*keys)
    try:
        for amount in (20, 40, 10):  # the second tip fills the first goal
            wallet_services.tip_send(sender=viewer, performer=performer, amount=amount, idempotency_key=new_id())
        events = [e for e in ring_events(client, room.slug) if e.get("type") in {"tip", "goal"}]
        summary = [(e["type"], e.get("amount") or e.get("title"), e.get("progress"), e.get("reached")) for e in events]
        assert summary == [
            ("tip", 20, None, None),
            ("goal", "Warm-up dance", 20, False),
            ("tip", 40, None, None),
            ("goal", "Warm-up dance", 50, True),  # once, from the goal check, not also from the tip's announcement
            ("tip", 10, None, None),
            ("goal", "Karaoke hour", 10, False),
        ]
        reached = events[3]
        assert reached["id"] == first.pk and reached["target"] == 50
        assert reached["next"] == {"id": second.pk, "title": "Karaoke hour", "target": 300}
        assert "next" not in events[1]
    finally:
        client.delete(*keys)
        runtime._sync_redis = None
