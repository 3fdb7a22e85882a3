"""RoomHub: the sockets of one room on this node, and the room's recent timeline.

The hot path is :meth:`RoomHub.deliver`: a sequenced event arrives (from the fan-out
backend, already JSON-encoded by its origin node), is framed as a WebSocket text frame
*once*, and the same ``bytes`` object is written to every socket's transport. No
per-socket task, queue or coroutine: a write is a ``transport.write`` call. Events that
arrive in the same event-loop iteration are coalesced: their frames are joined and
leave in one write per socket (one syscall instead of one per event), so a busy room
costs fewer syscalls per delivery while a quiet one adds no delay. A socket
whose transport buffer is over ``max_buffer_bytes`` is a slow consumer: it is removed
from the room and kicked with a close reason, and the loop moves on.

Sequencing: every timeline event carries the room's sequence number (assigned by the
fan-out backend). The hub keeps the last ``ring_size`` events; a client that reconnects
with its last sequence gets exactly the events after it (minus messages deleted since),
or a fresh welcome with the last 50 messages when it is too far behind. Duplicate
frames are dropped; a gap is held back until the backend fills it (or given up on).
Internal events (``codes.INTERNAL_EVENTS``: a room's blocked words and classifier actions)
take their place in the sequence and reach ``on_event`` like any other, but are never
written to a socket, live or in a replay.

Pure asyncio-free logic apart from the transports it writes to: the tests drive it with
fake transports.
"""

from __future__ import annotations

import json
import logging
import struct
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol

from stagedoor.chat import codes as C
from stagedoor.chat import metrics as M
from stagedoor.chat.protocol import encode, encode_welcome, seq_of_frame

log = logging.getLogger(__name__)

DEFAULT_RING_SIZE: Final = 1000
DEFAULT_MAX_BUFFER_BYTES: Final = 256 * 1024
_HISTORY_KINDS: Final = frozenset({C.EV_MESSAGE, C.EV_TIP, C.EV_GOAL, C.EV_NOTICE})


def ws_text_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented, uncompressed WebSocket text frame (server -> client)."""
    n = len(payload)
    if n < 126:
        return b"\x81" + bytes((n,)) + payload
    if n < 65536:
        return b"\x81\x7e" + struct.pack("!H", n) + payload
    return b"\x81\x7f" + struct.pack("!Q", n) + payload


class FrameTransport(Protocol):
    def write(self, data: bytes) -> None: ...

    def get_write_buffer_size(self) -> int: ...

    def is_closing(self) -> bool: ...


class Member:
    """One socket in a room. The gateway subclasses it to close real WebSockets."""

    __slots__ = ("kicked", "transport", "user")

    def __init__(self, transport: FrameTransport, user: dict[str, Any]) -> None:
        self.transport = transport
        self.user = user  # {"id", "login", "role", "perms"}: what the welcome shows
        self.kicked: tuple[int, str] | None = None

    def kick(self, code: int, reason: str) -> None:
        """Close the socket with a reason. Must not block; the default only records it."""
        self.kicked = (code, reason)


class _Entry:
    __slots__ = ("frame", "kind", "msg_id", "role", "seq", "user_id")

    def __init__(
        self, seq: int, kind: str, msg_id: str | None, frame: bytes, user_id: str | None, role: str | None
    ) -> None:
        self.seq = seq
        self.kind = kind
        self.msg_id = msg_id
        self.frame = frame
        self.user_id = user_id
        self.role = role


class RoomHub:
    def __init__(
        self,
        room: str,
        *,
        ring_size: int = DEFAULT_RING_SIZE,
        history_length: int = C.HISTORY_LENGTH,
        max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        on_gap: Callable[[RoomHub, int, int], None] | None = None,
        schedule: Callable[[Callable[[], object]], object] | None = None,
    ) -> None:
        self.room = room
        self.members: dict[Member, None] = {}  # insertion-ordered set
        self.ring: deque[_Entry] = deque(maxlen=ring_size)
        self.history_length = history_length
        self.max_buffer_bytes = max_buffer_bytes
        self.deleted: set[str] = set()  # message ids deleted while in the ring
        self.last_seq: int | None = None  # None until load(): frames are held back
        self.pending: dict[int, bytes] = {}
        self.on_event = on_event
        self.on_gap = on_gap
        self.gap_since: float | None = None
        self.dropped = 0
        # Write coalescing: frames published in one event-loop iteration leave in one
        # write per socket. ``schedule`` is loop.call_soon in the gateway; without it
        # (unit tests) every frame is written at once.
        self.schedule = schedule
        self._outbox: list[bytes] = []
        self._flush_pending = False
        self._after_flush: list[tuple[Member, bytes]] = []  # unicasts queued behind a batch

    # --- membership ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.members)

    @property
    def loaded(self) -> bool:
        return self.last_seq is not None

    def join(
        self,
        member: Member,
        *,
        last_seq: int | None,
        node: str,
        mode: dict[str, Any],
        presence: int | None = None,
    ) -> bool:
        """Send the welcome (and what the client missed) and add the socket to the room.

        Synchronous on purpose: between the replay and the registration no other event
        can be delivered, so the client sees every sequence exactly once. Returns whether
        the session was resumed.
        """
        assert self.last_seq is not None, "join() before load()"
        self.flush()  # frames already in the ring must not reach the new socket twice
        replay: list[bytes] | None = None
        if last_seq is not None:
            replay = self._since(last_seq)
            M.RESUMES.labels("resumed" if replay is not None else "too_old").inc()
        resumed = replay is not None
        welcome = encode_welcome(
            room=self.room,
            node=node,
            seq=self.last_seq,
            you=member.user,
            mode=mode,
            presence=presence if presence is not None else len(self.members) + 1,
            resumed=resumed,
            history=[] if resumed else self.history(),
        )
        t = member.transport
        t.write(ws_text_frame(welcome))
        for frame in replay or ():
            t.write(ws_text_frame(frame))
        self.members[member] = None
        M.CONNECTIONS.inc()
        return resumed

    def leave(self, member: Member) -> bool:
        if self.members.pop(member, 0) is None:
            M.CONNECTIONS.dec()
            return True
        return False

    # --- timeline ------------------------------------------------------------------
    def history(self) -> list[bytes]:
        """The last ``history_length`` visible messages (and tips, goals, notices)."""
        out: list[bytes] = []
        for e in reversed(self.ring):
            if e.kind in _HISTORY_KINDS and (e.msg_id is None or e.msg_id not in self.deleted):
                out.append(e.frame)
                if len(out) >= self.history_length:
                    break
        out.reverse()
        return out

    def _since(self, last_seq: int) -> list[bytes] | None:
        """Frames after ``last_seq``, or None when the ring no longer covers it."""
        assert self.last_seq is not None
        if last_seq > self.last_seq:
            return None  # a client from the future: the room's counter was reset
        if last_seq == self.last_seq:
            return []
        if not self.ring or self.ring[0].seq > last_seq + 1:
            return None
        out = []
        for e in self.ring:
            if e.seq <= last_seq or e.kind in C.INTERNAL_EVENTS:
                continue
            if not (e.kind == C.EV_MESSAGE and e.msg_id in self.deleted):
                out.append(e.frame)
        return out

    def load(self, frames: Iterable[bytes], *, last_seq: int = 0) -> None:
        """Start the timeline from the backend's recent frames, then release held ones.

        ``last_seq`` is the backend's counter when the ring is empty (or older)."""
        for frame in sorted(frames, key=seq_of_frame):
            seq = seq_of_frame(frame)
            if self.ring and seq <= self.ring[-1].seq:
                continue
            self._record(seq, frame, apply=True)
        self.last_seq = max(last_seq, self.ring[-1].seq if self.ring else 0)
        self._drain()

    def deliver(self, frame: bytes) -> None:
        """A sequenced JSON frame from the fan-out backend: record it and write it out."""
        seq = seq_of_frame(frame)
        if self.last_seq is None:
            self.pending[seq] = frame
            return
        if seq <= self.last_seq:
            return  # duplicate (e.g. a gap fill racing the live stream)
        if seq != self.last_seq + 1:
            self.pending[seq] = frame
            if self.gap_since is None:
                self.gap_since = time.monotonic()
                M.GAPS.inc()
                if self.on_gap is not None:
                    self.on_gap(self, self.last_seq, seq)
            return
        self._publish(seq, frame)
        if self.pending:
            self._drain()

    def skip_gap(self) -> None:
        """Give up on a gap the backend could not fill: go on from the next held frame."""
        if self.pending and self.last_seq is not None:
            self.last_seq = min(self.pending) - 1
            self._drain()
        self.gap_since = None

    def _drain(self) -> None:
        assert self.last_seq is not None
        while self.pending:
            nxt = self.last_seq + 1
            frame = self.pending.pop(nxt, None)
            if frame is None:
                for s in [s for s in self.pending if s <= self.last_seq]:
                    del self.pending[s]
                if self.pending:
                    return  # still a gap
                break
            self._publish(nxt, frame)
        self.gap_since = None

    def _record(self, seq: int, frame: bytes, *, apply: bool) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(frame)
        kind = event.get("type", "")
        msg_id = uid = role = None
        if kind == C.EV_MESSAGE:
            msg_id = event.get("id")
            user = event.get("user") or {}
            uid, role = user.get("id"), user.get("role")
        self.ring.append(_Entry(seq, kind, msg_id, frame, uid, role))
        if kind == C.EV_MESSAGE_DELETED:
            self.deleted.add(event["id"])
        elif kind == C.EV_USER_PURGED:
            self.deleted.update(event.get("ids", ()))
        if len(self.deleted) > 4 * (self.ring.maxlen or 1000):
            live = {e.msg_id for e in self.ring if e.msg_id}
            self.deleted &= live
        if apply and self.on_event is not None:
            self.on_event(event)
        return event

    def _publish(self, seq: int, frame: bytes) -> None:
        self.last_seq = seq
        event = self._record(seq, frame, apply=True)
        M.EVENTS.inc()
        if event.get("type") not in C.INTERNAL_EVENTS:  # internal ones only change the room's state
            self.broadcast(frame)

    # --- lookups for moderation ------------------------------------------------------
    def message_author(self, message_id: str) -> tuple[str, str] | None:
        for e in reversed(self.ring):
            if e.msg_id == message_id and e.user_id is not None:
                return e.user_id, e.role or ""
        return None

    def user_message_ids(self, user_id: str) -> tuple[str, ...]:
        return tuple(
            e.msg_id
            for e in self.ring
            if e.user_id == user_id and e.msg_id is not None and e.msg_id not in self.deleted
        )

    def user_role(self, user_id: str) -> str | None:
        for m in self.members:
            if m.user.get("id") == user_id:
                return str(m.user.get("role"))
        for e in reversed(self.ring):
            if e.user_id == user_id:
                return e.role
        return None

    # --- writing -------------------------------------------------------------------
    def broadcast(self, payload: bytes) -> None:
        """Queue one JSON payload for every socket; it leaves with this iteration's batch."""
        if not self.members:
            return
        self._outbox.append(payload)
        if self.schedule is None:
            self.flush()
        elif not self._flush_pending:
            self._flush_pending = True
            self.schedule(self.flush)

    def flush(self) -> int:
        """Frame the queued payloads once and write the same bytes to every socket.
        Returns how many sockets were written to."""
        self._flush_pending = False
        if not self._outbox:
            return 0
        outbox, self._outbox = self._outbox, []
        started = time.perf_counter()
        data = b"".join([ws_text_frame(p) for p in outbox])
        limit = self.max_buffer_bytes
        slow: list[Member] | None = None
        n = 0
        for m in self.members:
            t = m.transport
            if t.is_closing():
                continue  # its handler is about to leave()
            if t.get_write_buffer_size() > limit:
                if slow is None:
                    slow = []
                slow.append(m)
                continue
            t.write(data)
            n += 1
        if slow:
            for m in slow:
                self.drop(m, C.CLOSE_SLOW_CONSUMER, "slow consumer: send buffer overflow")
        M.DELIVERIES.inc(n * len(outbox))
        M.FANOUT_SECONDS.observe(time.perf_counter() - started)
        if self._after_flush:
            after, self._after_flush = self._after_flush, []
            for member, frame in after:
                if member in self.members:
                    self._write_one(member, frame)
        return n

    def send(self, member: Member, event: dict[str, Any]) -> None:
        """One unsequenced event (ack, error, pong) to one socket, after the queued batch
        (an ack never overtakes the message it acknowledges, and never forces a flush)."""
        data = ws_text_frame(encode(event))
        if self._outbox:
            self._after_flush.append((member, data))
            return
        self._write_one(member, data)

    def _write_one(self, member: Member, data: bytes) -> None:
        t = member.transport
        if t.is_closing():
            return
        if t.get_write_buffer_size() > self.max_buffer_bytes:
            self.drop(member, C.CLOSE_SLOW_CONSUMER, "slow consumer: send buffer overflow")
            return
        t.write(data)

    def drop(self, member: Member, code: int, reason: str) -> None:
        if self.leave(member):
            self.dropped += 1
            if code == C.CLOSE_SLOW_CONSUMER:
                M.SLOW_CONSUMERS.inc()
        try:
            member.kick(code, reason)
        except Exception:  # a kick must never take the room down
            log.exception("kick failed")

    def kick_user(self, user_id: str, code: int, reason: str) -> int:
        """Close every socket of a user in this room (ban)."""
        targets = [m for m in self.members if m.user.get("id") == user_id]
        for m in targets:
            self.drop(m, code, reason)
        return len(targets)
