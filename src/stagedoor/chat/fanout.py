"""Sequenced fan-out for chat, on top of ``core.fanout`` (which only moves bytes).

Chat needs one more thing than core's pub/sub: a per-room sequence number that every
node agrees on, plus the room's recent frames for a node that opens the room late or a
client that resumes on another node. ``ChatBus`` adds that:

* :meth:`ChatBus.publish` takes an event encoded once *without* its sequence
  (``protocol.encode_tail``), assigns the next sequence, glues ``{"seq":N,`` in front,
  appends the frame to the room's ring and publishes it on the room's channel.
* Redis: one Lua script does INCR + ring RPUSH/LTRIM + PUBLISH atomically, so frames
  reach every node in sequence order and no two nodes ever hand out the same number.
  The channel is the one ``core.fanout.RedisFanout`` subscribes to (same prefix), so
  delivery uses core's single pub/sub connection per process: one subscription per
  room per node.
* In-process: a counter and a deque, then core's ``InProcessFanout``.

Presence (viewer counts across nodes) lives here too: each node reports its own count
per room; the total is the sum over live nodes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

from stagedoor.chat.protocol import frame_with_seq
from stagedoor.core.fanout import FanoutBackend, InProcessFanout, RedisFanout

DEFAULT_RING: Final = 1000
PRESENCE_TTL_SECONDS: Final = 30
ROOM_TTL_SECONDS: Final = 7 * 24 * 3600

FrameHandler = Callable[[bytes], None]


def room_channel(room: str) -> str:
    return f"chat:room:{room}"


class ChatBus(Protocol):
    async def publish(self, room: str, tail: bytes) -> int:
        """Assign the room's next sequence to ``tail``, record and publish it. Returns seq."""
        ...

    async def subscribe(self, room: str, handler: FrameHandler) -> Callable[[], Awaitable[None]]: ...

    async def recent(self, room: str, after_seq: int = 0) -> tuple[list[bytes], int]:
        """The room's recorded frames with seq > after_seq, and the room's counter."""
        ...

    async def presence_report(self, node: str, counts: dict[str, int]) -> None: ...

    async def presence_total(self, room: str) -> int: ...

    async def close(self) -> None: ...


class InProcessChatBus:
    def __init__(self, fanout: FanoutBackend | None = None, *, ring: int = DEFAULT_RING) -> None:
        self.fanout: FanoutBackend = fanout if fanout is not None else InProcessFanout()
        self._seq: dict[str, int] = {}
        self._rings: dict[str, deque[tuple[int, bytes]]] = {}
        self._ring = ring
        self._presence: dict[str, dict[str, int]] = {}

    async def publish(self, room: str, tail: bytes) -> int:
        seq = self._seq.get(room, 0) + 1
        self._seq[room] = seq
        frame = frame_with_seq(seq, tail)
        ring = self._rings.get(room)
        if ring is None:
            ring = self._rings[room] = deque(maxlen=self._ring)
        ring.append((seq, frame))
        await self.fanout.publish(room_channel(room), frame)
        return seq

    async def subscribe(self, room: str, handler: FrameHandler) -> Callable[[], Awaitable[None]]:
        return await self.fanout.subscribe(room_channel(room), handler)

    def seed(self, room: str, tails: list[bytes], *, after_seq: int) -> bool:
        """Start a room this process has no timeline for from stored history: `tails` (oldest first) take the
        numbers after `after_seq` (the highest stored), so messages stored before a restart keep their numbers and
        new ones never reuse them. Nothing is fanned out. False (and no change) if the room already has events."""
        if self._seq.get(room, 0):
            return False
        ring = self._rings[room] = deque(maxlen=self._ring)
        seq = max(0, after_seq)
        for tail in tails:
            seq += 1
            ring.append((seq, frame_with_seq(seq, tail)))
        self._seq[room] = seq
        return True

    async def recent(self, room: str, after_seq: int = 0) -> tuple[list[bytes], int]:
        ring = self._rings.get(room, ())
        return [f for s, f in ring if s > after_seq], self._seq.get(room, 0)

    async def presence_report(self, node: str, counts: dict[str, int]) -> None:
        for room, n in counts.items():
            self._presence.setdefault(room, {})[node] = n

    async def presence_total(self, room: str) -> int:
        return self.presence_snapshot(room)

    def presence_snapshot(self, room: str) -> int:
        """Sync read for other threads (a dict read; counts are advisory)."""
        return sum(dict(self._presence.get(room, {})).values())

    async def close(self) -> None:
        await self.fanout.close()


# KEYS: seq key, ring key, channel. ARGV: tail, ring size, ttl.
_PUBLISH_LUA: Final = """
local seq = redis.call('INCR', KEYS[1])
local frame = '{"seq":' .. seq .. ',' .. ARGV[1]
redis.call('RPUSH', KEYS[2], frame)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('PUBLISH', KEYS[3], frame)
return seq
"""


class RedisChatBus:
    """``url`` and ``fanout_prefix`` must match the ``core.fanout.RedisFanout`` in use."""

    def __init__(
        self,
        url: str,
        *,
        fanout: RedisFanout | None = None,
        fanout_prefix: str = "stagedoor:",
        key_prefix: str = "stagedoor:chat:",
        ring: int = DEFAULT_RING,
    ) -> None:
        import redis.asyncio as aioredis

        self.fanout = fanout if fanout is not None else RedisFanout(url, prefix=fanout_prefix)
        self._own_fanout = fanout is None
        self._redis = aioredis.Redis.from_url(url)
        self._script = self._redis.register_script(_PUBLISH_LUA)
        self._fanout_prefix = fanout_prefix
        self._keys = key_prefix
        self._ring = ring

    async def publish(self, room: str, tail: bytes) -> int:
        seq = await self._script(
            keys=[self._keys + "seq:" + room, self._keys + "ring:" + room, self._fanout_prefix + room_channel(room)],
            args=[tail, self._ring, ROOM_TTL_SECONDS],
        )
        return int(seq)

    async def subscribe(self, room: str, handler: FrameHandler) -> Callable[[], Awaitable[None]]:
        return await self.fanout.subscribe(room_channel(room), handler)

    async def recent(self, room: str, after_seq: int = 0) -> tuple[list[bytes], int]:
        from stagedoor.chat.protocol import seq_of_frame

        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(self._keys + "ring:" + room, 0, -1)
            pipe.get(self._keys + "seq:" + room)
            frames, counter = await pipe.execute()
        return [f for f in frames if seq_of_frame(f) > after_seq], int(counter or 0)

    async def presence_report(self, node: str, counts: dict[str, int]) -> None:
        if not counts:
            return
        now = int(time.time())
        async with self._redis.pipeline(transaction=False) as pipe:
            for room, n in counts.items():
                key = self._keys + "presence:" + room
                pipe.hset(key, node, f"{n}:{now}")
                pipe.expire(key, PRESENCE_TTL_SECONDS)
            await pipe.execute()

    async def presence_total(self, room: str) -> int:
        raw = await self._redis.hgetall(self._keys + "presence:" + room)
        cutoff = time.time() - PRESENCE_TTL_SECONDS
        total = 0
        for value in raw.values():
            text = value.decode() if isinstance(value, bytes) else str(value)
            n, _, stamp = text.partition(":")
            if int(stamp or 0) >= cutoff:  # a node that stopped reporting no longer counts
                total += int(n)
        return total

    async def close(self) -> None:
        if self._own_fanout:
            await self.fanout.close()
        await self._redis.aclose()
