"""Chat presence (across nodes, in Redis) becomes the directory's viewer counts."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
import redis

from stagedoor.chat import runtime
from stagedoor.chat.presence_rollup import presence_rollup
from stagedoor.rooms import services as room_services
from stagedoor.rooms.models import Room

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


def test_rollup_copies_cross_node_presence_into_live_rooms(make_user: Any, settings: Any, redis_url: str) -> None:
    settings.STAGEDOOR_FANOUT_BACKEND = "redis"
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url=redis_url)
    runtime._sync_redis = None
    live = room_services.room_for_performer(performer=make_user("performer", login="rollup_live"))
    room_services.room_set_status(room=live, status=Room.Status.LIVE)
    offline = room_services.room_for_performer(performer=make_user("performer", login="rollup_off"))
    client = redis.Redis.from_url(redis_url)
    now = int(time.time())
    key = runtime.KEY_PREFIX + "presence:"
    try:
        # Two gateway nodes report 7 and 5 viewers; a third node's report is stale.
        client.hset(key + live.slug, mapping={"node-a": f"7:{now}", "node-b": f"5:{now}", "node-c": f"40:{now - 3600}"})
        client.hset(key + offline.slug, mapping={"node-a": f"9:{now}"})
        assert presence_rollup() == 1
        live.refresh_from_db()
        offline.refresh_from_db()
        assert (live.viewer_count, offline.viewer_count) == (12, 0)
        assert presence_rollup() == 0  # nothing changed since
    finally:
        client.delete(key + live.slug, key + offline.slug)
        runtime._sync_redis = None
