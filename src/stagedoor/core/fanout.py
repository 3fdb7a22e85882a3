"""Realtime fan-out between processes behind one small interface.

`inprocess` (embedded default) delivers within this process; `redis` uses one Redis
pub/sub subscription per channel per process. Payloads are bytes, encoded once by the
publisher. Chat, tips and presence build on this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Protocol

Handler = Callable[[bytes], Awaitable[None] | None]
log = logging.getLogger("stagedoor.fanout")


class FanoutBackend(Protocol):
    async def publish(self, channel: str, payload: bytes) -> None: ...
    async def subscribe(self, channel: str, handler: Handler) -> Callable[[], Awaitable[None]]: ...
    async def close(self) -> None: ...


async def _call(handler: Handler, payload: bytes) -> None:
    result = handler(payload)
    if asyncio.iscoroutine(result):
        await result


class InProcessFanout:
    def __init__(self) -> None:
        self._subs: dict[str, list[Handler]] = defaultdict(list)

    async def publish(self, channel: str, payload: bytes) -> None:
        for handler in list(self._subs.get(channel, ())):
            await _call(handler, payload)

    async def subscribe(self, channel: str, handler: Handler) -> Callable[[], Awaitable[None]]:
        self._subs[channel].append(handler)

        async def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subs[channel].remove(handler)
            if not self._subs[channel]:
                self._subs.pop(channel, None)

        return unsubscribe

    async def close(self) -> None:
        self._subs.clear()


class RedisFanout:
    """One Redis connection for publishing, one pub/sub connection per process for all channels."""

    def __init__(self, url: str, *, prefix: str = "stagedoor:") -> None:
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(url)
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self.prefix = prefix
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    async def publish(self, channel: str, payload: bytes) -> None:
        await self._redis.publish(self.prefix + channel, payload)

    async def subscribe(self, channel: str, handler: Handler) -> Callable[[], Awaitable[None]]:
        key = self.prefix + channel
        async with self._lock:
            first = not self._handlers[key]
            self._handlers[key].append(handler)
            if first:
                await self._pubsub.subscribe(key)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read(), name="fanout-redis-reader")

        async def unsubscribe() -> None:
            async with self._lock:
                with contextlib.suppress(ValueError):
                    self._handlers[key].remove(handler)
                if not self._handlers[key]:
                    self._handlers.pop(key, None)
                    await self._pubsub.unsubscribe(key)

        return unsubscribe

    async def _read(self) -> None:
        """Read every subscribed channel; on a lost connection, reconnect and re-subscribe.

        Messages published while disconnected are lost (pub/sub keeps nothing); consumers
        that need them (chat) detect the sequence gap and refill from their own store.
        """
        import redis.exceptions

        delay = 0.1
        while True:
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
                log.warning("redis fan-out connection lost; reconnecting", extra={"error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                await self._resubscribe()
                continue
            delay = 0.1
            if message is None:
                continue
            channel = message["channel"].decode() if isinstance(message["channel"], bytes) else message["channel"]
            for handler in list(self._handlers.get(channel, ())):
                try:
                    await _call(handler, message["data"])
                except Exception:
                    log.exception("fan-out handler failed", extra={"channel": channel})

    async def _resubscribe(self) -> None:
        import redis.exceptions

        async with self._lock:
            try:
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]  # unannotated in redis-py
            except (redis.exceptions.RedisError, OSError):
                pass
            self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            channels = list(self._handlers)
            if channels:
                try:
                    await self._pubsub.subscribe(*channels)
                except (redis.exceptions.RedisError, OSError) as exc:
                    log.warning("redis fan-out re-subscribe failed", extra={"error": str(exc)})

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]  # unannotated in redis-py
        await self._redis.aclose()


def make_fanout(kind: str, redis_url: str | None) -> FanoutBackend:
    if kind == "redis":
        if not redis_url:
            raise ValueError("redis fan-out needs STAGEDOOR_REDIS_URL")
        return RedisFanout(redis_url)
    return InProcessFanout()
