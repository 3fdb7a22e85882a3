"""Process-wide chat wiring chosen by settings: the bus, the ticket key, the public URL.

The embedded gateway and the Django side of the same process share one ``ChatBus``
(in-process fan-out needs that); with Redis every process makes its own. Sync Django
code (services run in threads) publishes through :func:`publish_from_sync`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import time
from typing import Any
from urllib.parse import urlparse

from django.conf import settings

from stagedoor.chat import protocol as P
from stagedoor.chat.fanout import (
    _PUBLISH_LUA,
    DEFAULT_RING,
    ROOM_TTL_SECONDS,
    ChatBus,
    InProcessChatBus,
    RedisChatBus,
    room_channel,
)

_lock = threading.Lock()
_bus: ChatBus | None = None
_loop: asyncio.AbstractEventLoop | None = None  # the loop the embedded gateway runs in
_sync_redis: Any = None
FANOUT_PREFIX = "stagedoor:"
KEY_PREFIX = "stagedoor:chat:"
DEFAULT_CHAT_PORT = 8001


def ticket_key() -> bytes:
    """Derived from SECRET_KEY, so web and gateway processes agree without a new secret."""
    return hmac.new(settings.SECRET_KEY.encode(), b"stagedoor.chat.ticket.v1", hashlib.sha256).digest()


def chat_port() -> int:
    return int(getattr(settings, "STAGEDOOR_CHAT_PORT", DEFAULT_CHAT_PORT))


def public_url() -> str:
    """Where browsers connect. ``STAGEDOOR_CHAT_URL`` when set (behind nginx: wss://host/chat),
    else the site's host on the chat port."""
    explicit = getattr(settings, "STAGEDOOR_CHAT_URL", "")
    if explicit:
        return str(explicit)
    base = urlparse(settings.STAGEDOOR.base_url)
    scheme = "wss" if base.scheme == "https" else "ws"
    return f"{scheme}://{base.hostname}:{chat_port()}/"


def redis_url() -> str | None:
    if getattr(settings, "STAGEDOOR_FANOUT_BACKEND", "inprocess") != "redis":
        return None
    return str(settings.STAGEDOOR.redis_url)


def get_bus() -> ChatBus:
    global _bus
    with _lock:
        if _bus is None:
            url = redis_url()
            _bus = RedisChatBus(url, fanout_prefix=FANOUT_PREFIX, key_prefix=KEY_PREFIX) if url else InProcessChatBus()
        return _bus


def set_bus(bus: ChatBus | None, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """The embedded gateway registers its bus and loop; tests reset with ``set_bus(None)``."""
    global _bus, _loop
    with _lock:
        _bus = bus
        _loop = loop


def publish_from_sync(room: str, event: dict[str, Any]) -> int | None:
    """Put a timeline event into a room from sync code. Returns its sequence number, or
    None when no gateway runs in this process (in-process mode: nobody could listen)."""
    tail = P.encode_tail(event)
    url = redis_url()
    if url:
        global _sync_redis
        import redis

        if _sync_redis is None:
            _sync_redis = redis.Redis.from_url(url)
        seq = _sync_redis.eval(
            _PUBLISH_LUA,
            3,
            KEY_PREFIX + "seq:" + room,
            KEY_PREFIX + "ring:" + room,
            FANOUT_PREFIX + room_channel(room),
            tail,
            DEFAULT_RING,
            ROOM_TTL_SECONDS,
        )
        return int(seq)
    with _lock:
        bus, loop = _bus, _loop
    if bus is None or loop is None or loop.is_closed():
        return None
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:  # called on the gateway's own loop (rare): schedule, don't block it
        loop.create_task(bus.publish(room, tail))
        return None
    return asyncio.run_coroutine_threadsafe(bus.publish(room, tail), loop).result(timeout=5)


def presence_total_sync(room: str) -> int:
    """Viewers in a room's chat across nodes, for pages and the directory (sync code)."""
    url = redis_url()
    if url:
        global _sync_redis
        import redis

        from stagedoor.chat.fanout import PRESENCE_TTL_SECONDS

        if _sync_redis is None:
            _sync_redis = redis.Redis.from_url(url)
        cutoff = time.time() - PRESENCE_TTL_SECONDS
        total = 0
        for value in _sync_redis.hgetall(KEY_PREFIX + "presence:" + room).values():
            n, _, stamp = value.decode().partition(":")
            if int(stamp or 0) >= cutoff:
                total += int(n)
        return total
    with _lock:
        bus = _bus
    if isinstance(bus, InProcessChatBus):
        return bus.presence_snapshot(room)
    return 0
