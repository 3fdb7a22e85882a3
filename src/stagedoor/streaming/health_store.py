"""Stream health shared between processes, for web nodes that run no ingest.

An ingest (embedded in `stagedoor run`, or `stagedoor ingest` on its own node) reports every live
stream's health once a second. In-process readers ask the ingest directly; with
``STAGEDOOR_REDIS_URL`` set the ingest also writes ``stagedoor:stream-health:<room>`` (JSON,
expiring after ``TTL_S``) so any web node can answer the studio's and staff's health panels. A
dead ingest's keys expire by themselves; a room that goes offline has its key deleted at once.
"""

from __future__ import annotations

import json
import logging
from dataclasses import fields
from typing import Any

import redis
import redis.asyncio as aioredis
from django.conf import settings

from .health import StreamHealth

log = logging.getLogger("stagedoor.streaming.health")

KEY = "stagedoor:stream-health:{room}"
TTL_S = 5
_FIELDS = {f.name for f in fields(StreamHealth)}
_readers: dict[str, redis.Redis] = {}


def redis_url() -> str | None:
    return settings.STAGEDOOR.redis_url


def shared() -> bool:
    """Whether health reaches this process from ingests elsewhere."""
    return redis_url() is not None


def encode(health: StreamHealth) -> str:
    return json.dumps(health.as_dict(), separators=(",", ":"))


def decode(raw: bytes | str) -> StreamHealth | None:
    try:
        data: Any = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or set(data) != _FIELDS:
        return None  # written by another version: better no panel than a wrong one
    return StreamHealth(**data)


class RedisHealthSink:
    """The ingest's side: ``await sink(health)`` once a second per stream (the supervisor calls it)."""

    def __init__(self, url: str) -> None:
        self._client = aioredis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    async def __call__(self, health: StreamHealth) -> None:
        await self._client.set(KEY.format(room=health.room), encode(health), ex=TTL_S)

    async def forget(self, room: str) -> None:
        try:
            await self._client.delete(KEY.format(room=room))
        except redis.RedisError:
            log.warning("could not clear the shared health of room %s", room, exc_info=True)

    async def close(self) -> None:
        await self._client.aclose()


def sink() -> RedisHealthSink | None:
    url = redis_url()
    return RedisHealthSink(url) if url else None


def read(room: str) -> StreamHealth | None:
    """The web side: the latest health an ingest shared for this room (None when none is fresh)."""
    url = redis_url()
    if url is None:
        return None
    client = _readers.get(url)
    if client is None:
        client = _readers[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        raw = client.get(KEY.format(room=room))
    except redis.RedisError:
        log.warning("could not read the shared health of room %s", room, exc_info=True)
        return None
    return decode(raw) if isinstance(raw, (bytes, str)) else None
