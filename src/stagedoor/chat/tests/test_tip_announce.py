"""A tip appears in the room's chat for everyone at once, followed by the goal's progress."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
import redis

from stagedoor.chat import protocol, runtime
from stagedoor.core.ids import new_id
from stagedoor.rooms import services as room_services
from stagedoor.wallet import services as wallet_services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.redis]


def ring_events(client: redis.Redis, slug: str) -> list[dict[str, Any]]:
    frames = client.lrange(runtime.KEY_PREFIX + "ring:" + slug, 0, -1)
    events = []
    for frame in frames:
        text = frame.decode() if isinstance(frame, bytes) else frame
        events.append(json.loads(text[text.index("{") :] if not text.startswith("{") else text))
    return events


def test_tip_is_announced_in_chat_with_goal_progress(make_user: Any, settings: Any, redis_url: str) -> None:
    settings.STAGEDOOR_FANOUT_BACKEND = "redis"
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url=redis_url)
    runtime._sync_redis = None
    performer = make_user("performer", login="tipped_star")
    room = room_services.room_for_performer(performer=performer)
    wallet_services.tip_goal_create(performer=performer, title="New song", target=100)
    viewer = make_user(login="generous")
    wallet_services.purchase_credit(
        buyer=viewer, tokens=500, purchase_id=new_id(), price_minor=5000, currency="USD", provider="test"
    )
    client = redis.Redis.from_url(redis_url)
    client.delete(runtime.KEY_PREFIX + "ring:" + room.slug, runtime.KEY_PREFIX + "seq:" + room.slug)
    try:
        wallet_services.tip_send(
            sender=viewer, performer=performer, amount=40, message="encore", anonymous=False, idempotency_key=new_id()
        )
        wallet_services.tip_send(
            sender=viewer, performer=performer, amount=25, message="", anonymous=True, idempotency_key=new_id()
        )
        events = [e for e in ring_events(client, room.slug) if e.get("type") in {"tip", "goal"}]
        assert [(e["type"], e.get("amount"), e.get("progress")) for e in events] == [
            ("tip", 40, None),
            ("goal", None, 40),
            ("tip", 25, None),
            ("goal", None, 65),
        ]
        assert events[0]["user"] == protocol.user_ref(viewer.pk, viewer.shown_name, "viewer")
        assert events[0]["note"] == "encore"
        assert events[2]["user"] == {"id": None, "login": "Anonymous", "role": "viewer"}  # no identity leaks
        assert events[1]["title"] == "New song" and events[1]["target"] == 100
    finally:
        client.delete(runtime.KEY_PREFIX + "ring:" + room.slug, runtime.KEY_PREFIX + "seq:" + room.slug)
        runtime._sync_redis = None
