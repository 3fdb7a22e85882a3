"""The chat gateway: a ``websockets`` (asyncio) server that trusts signed chat tickets.

Why not the ASGI path: fan-out here is one pre-framed ``bytes`` object written straight
to every socket's transport (see ``hub``); under uvicorn each delivery would be an
``await send({...})`` per socket, framed per socket (see bench/chat.py for numbers).
The gateway runs inside the same asyncio loop as uvicorn (embedded ``stagedoor run``,
see ``service.py``) or on its own (``stagedoor chat``); ``serve_chat_gateway`` is the
entry point for both. No Django import here: persistence, moderation records and room
state come in through small hooks (``sink``, ``recorder``, ``room_loader``).

Connection life: the client opens ``ws://host:port/`` (optionally offering the
``stagedoor.chat.v1`` subprotocol), sends ``hello`` with its ticket (and ``last_seq``
to resume) within ``hello_timeout``; the gateway answers ``welcome`` and from then on
the socket is in the room. See docs/chat-protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State
from websockets.typing import Subprotocol

from stagedoor.chat import codes as C
from stagedoor.chat import metrics as M
from stagedoor.chat import protocol as P
from stagedoor.chat.fanout import ChatBus, InProcessChatBus
from stagedoor.chat.hub import DEFAULT_MAX_BUFFER_BYTES, Member, RoomHub
from stagedoor.chat.moderation import ActionRecorder, ActionRefused, NullRecorder, plan_action
from stagedoor.chat.perks import badges_of
from stagedoor.chat.pipeline.message import ACCEPTED, HELD, MessagePipeline, PipelineConfig
from stagedoor.chat.pipeline.ratelimit import TokenBucketLimiter
from stagedoor.chat.pipeline.sink import (
    STATUS_BLOCKED,
    STATUS_HELD,
    STATUS_VISIBLE,
    ChatRecord,
    InMemorySink,
    MessageSink,
)
from stagedoor.chat.room import RoomState
from stagedoor.chat.ticket import ChatTicket, TicketError, ticket_verify
from stagedoor.core.ids import new_id

log = logging.getLogger(__name__)

RoomLoader = Callable[[str], Awaitable[RoomState]]
# A room's stored history: event tails (protocol.encode_tail), oldest first, and the highest stored seq.
HistoryLoader = Callable[[str], Awaitable[tuple[list[bytes], int]]]
_SUBPROTOCOL = Subprotocol(C.SUBPROTOCOL)


@dataclass
class GatewayConfig:
    ticket_key: bytes
    node: str = field(default_factory=lambda: "node-" + secrets.token_hex(3))
    max_frame_bytes: int = P.DEFAULT_MAX_FRAME_BYTES
    max_buffer_bytes: int = DEFAULT_MAX_BUFFER_BYTES
    hello_timeout: float = 10.0
    ring_size: int = 1000
    #: frames per second a client may send (any type) before it is closed for flooding
    frame_burst: int = 30
    frame_per_seconds: float = 10.0
    max_protocol_errors: int = 20
    presence_interval: float = 2.0
    room_linger: float = 30.0  # keep a room's subscription this long after its last socket
    ping_interval: float | None = 20.0
    ping_timeout: float | None = 20.0
    trusted_proxies: frozenset[str] = frozenset()
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    backlog: int = 4096


async def _fresh_room(room: str) -> RoomState:
    return RoomState(room)


class GatewayMember(Member):
    __slots__ = ("conn", "errors", "frames", "ip", "ticket")

    def __init__(self, conn: ServerConnection, ticket: ChatTicket, ip: str | None, frames: TokenBucketLimiter) -> None:
        super().__init__(conn.transport, ticket.public())
        self.conn = conn
        self.ticket = ticket
        self.ip = ip
        self.errors = 0
        self.frames = frames

    def kick(self, code: int, reason: str) -> None:
        self.kicked = (code, reason)
        _kick(self.conn, code, reason)


def _kick(conn: ServerConnection, code: int, reason: str, grace: float = 2.0) -> None:
    """Queue a close frame with a reason and cut the TCP connection after ``grace``.

    Never waits: a slow consumer's buffer is full, so the close frame may never be read;
    the abort frees the buffer either way.
    """
    if conn.protocol.state is State.OPEN:
        conn.protocol.fail(code, reason)
        with contextlib.suppress(Exception):
            conn.send_data()
    conn.loop.call_later(grace, conn.transport.abort)


class ChatGateway:
    def __init__(
        self,
        config: GatewayConfig,
        *,
        bus: ChatBus | None = None,
        sink: MessageSink | None = None,
        recorder: ActionRecorder | None = None,
        room_loader: RoomLoader | None = None,
        pipeline: MessagePipeline | None = None,
        history_loader: HistoryLoader | None = None,
    ) -> None:
        self.config = config
        self._proxy_networks = tuple(ipaddress.ip_network(p, strict=False) for p in config.trusted_proxies)
        self.history_loader = history_loader
        self.bus: ChatBus = bus if bus is not None else InProcessChatBus()
        self.sink: MessageSink = sink if sink is not None else InMemorySink()
        self.recorder: ActionRecorder = recorder if recorder is not None else NullRecorder()
        self.room_loader: RoomLoader = room_loader or _fresh_room
        self.pipeline = pipeline if pipeline is not None else MessagePipeline(config.pipeline)
        self.hubs: dict[str, RoomHub] = {}
        self.states: dict[str, RoomState] = {}
        self._unsubscribe: dict[str, Callable[[], Awaitable[None]]] = {}
        self._opening: dict[str, asyncio.Future[RoomHub]] = {}
        self._linger: dict[str, asyncio.TimerHandle] = {}
        self._presence: dict[str, int] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.server: Server | None = None

    # --- rooms ---------------------------------------------------------------------
    async def open_room(self, room: str) -> RoomHub:
        hub = self.hubs.get(room)
        if hub is not None and hub.loaded:
            self._cancel_linger(room)
            return hub
        fut = self._opening.get(room)
        if fut is not None:
            return await asyncio.shield(fut)
        fut = asyncio.get_running_loop().create_future()
        self._opening[room] = fut
        try:
            state = await self.room_loader(room)
            self.states[room] = state
            hub = RoomHub(
                room,
                ring_size=self.config.ring_size,
                max_buffer_bytes=self.config.max_buffer_bytes,
                on_event=functools.partial(self._on_event, room),
                on_gap=self._on_gap,
                schedule=asyncio.get_running_loop().call_soon,
            )
            self.hubs[room] = hub
            self._unsubscribe[room] = await self.bus.subscribe(room, hub.deliver)
            frames, counter = await self.bus.recent(room)
            if counter == 0 and self.history_loader is not None and isinstance(self.bus, InProcessChatBus):
                # a process that has just started: the room's stored history, and numbering after it
                tails, stored_seq = await self.history_loader(room)
                if self.bus.seed(room, tails, after_seq=stored_seq):
                    frames, counter = await self.bus.recent(room)
            hub.load(frames, last_seq=counter)
            M.ROOMS.set(len(self.hubs))
            fut.set_result(hub)
            return hub
        except BaseException as exc:
            self.hubs.pop(room, None)
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            self._opening.pop(room, None)

    def _on_event(self, room: str, event: dict[str, Any]) -> None:
        state = self.states.get(room)
        if state is not None:
            state.apply(event)
        if event.get("type") == C.EV_USER_BANNED:
            hub = self.hubs.get(room)
            if hub is not None:
                hub.kick_user(str(event["user_id"]), C.CLOSE_BANNED, "banned from this room")

    def _on_gap(self, hub: RoomHub, last: int, seen: int) -> None:
        async def fill() -> None:
            try:
                frames, _ = await self.bus.recent(hub.room, after_seq=last)
                for f in frames:
                    hub.deliver(f)
            except Exception:
                log.exception("chat gap fill failed", extra={"room": hub.room})
            if hub.gap_since is not None:
                hub.skip_gap()

        self._spawn(fill())

    def _cancel_linger(self, room: str) -> None:
        h = self._linger.pop(room, None)
        if h is not None:
            h.cancel()

    def _maybe_close_room(self, room: str) -> None:
        hub = self.hubs.get(room)
        if hub is None or len(hub) or room in self._linger:
            return

        def close() -> None:
            self._linger.pop(room, None)
            hub2 = self.hubs.get(room)
            if hub2 is not None and not len(hub2):
                del self.hubs[room]
                self.states.pop(room, None)
                self._presence.pop(room, None)
                unsub = self._unsubscribe.pop(room, None)
                if unsub is not None:
                    self._spawn(unsub())
                M.ROOMS.set(len(self.hubs))

        self._linger[room] = asyncio.get_running_loop().call_later(self.config.room_linger, close)

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- connections ---------------------------------------------------------------
    def _trusted_proxy(self, ip: str | None) -> bool:
        """`ip` is one of `trusted_proxies` (addresses or CIDR networks)."""
        if ip is None:
            return False
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self._proxy_networks)

    def _client_ip(self, conn: ServerConnection) -> str | None:
        peer = conn.remote_address
        ip = peer[0] if peer else None
        if self._trusted_proxy(ip) and conn.request is not None:
            fwd = conn.request.headers.get("X-Forwarded-For")
            if fwd:
                hops = [h.strip() for h in fwd.split(",") if h.strip()]
                for hop in reversed(hops):
                    if not self._trusted_proxy(hop):
                        return hop
        return ip

    async def handler(self, conn: ServerConnection) -> None:
        try:
            async with asyncio.timeout(self.config.hello_timeout):
                raw = await conn.recv()
        except TimeoutError:
            _kick(conn, C.CLOSE_HELLO_TIMEOUT, "no hello")
            return
        except ConnectionClosed:
            return
        try:
            cmd = P.decode_command(raw, max_bytes=self.config.max_frame_bytes)
            if not isinstance(cmd, P.Hello):
                raise P.ProtocolError(C.ERR_NOT_AUTHENTICATED, "send hello with a ticket first")
            ticket = ticket_verify(cmd.ticket, key=self.config.ticket_key)
        except (P.ProtocolError, TicketError) as exc:
            M.PROTOCOL_ERRORS.labels(exc.code).inc()
            await self._send_direct(conn, P.error_event(code=exc.code, message=str(exc)))
            _kick(conn, C.CLOSE_UNAUTHORIZED, exc.code)
            return
        hub = await self.open_room(ticket.room)
        state = self.states[ticket.room]
        if state.is_banned(ticket.user_id):
            await self._send_direct(conn, P.error_event(code=C.ERR_BANNED, message="you are banned from this room"))
            _kick(conn, C.CLOSE_BANNED, "banned from this room")
            return
        frames = TokenBucketLimiter(
            burst=self.config.frame_burst,
            per_seconds=self.config.frame_burst / self.config.frame_per_seconds,
            mute_seconds=0,
            max_keys=1,
        )
        member = GatewayMember(conn, ticket, self._client_ip(conn), frames)
        self._cancel_linger(ticket.room)
        hub.join(
            member,
            last_seq=cmd.last_seq,
            node=self.config.node,
            mode=state.mode.as_dict(),
            presence=max(self._presence.get(ticket.room, 0), len(hub) + 1),
        )
        try:
            async for raw in conn:
                if member.kicked is not None:
                    break
                if member.frames.hit(0, time.monotonic()) is not None:
                    hub.drop(member, C.CLOSE_FLOOD, "flooding: too many frames")
                    break
                try:
                    await self._dispatch(hub, member, raw)
                except ConnectionClosed:
                    raise
                except Exception:  # e.g. Redis or the database is down: the socket stays
                    log.exception("chat command failed", extra={"room": ticket.room})
                    hub.send(member, P.error_event(code=C.ERR_INTERNAL, message="try again in a moment"))
        except ConnectionClosed:
            pass
        finally:
            hub.leave(member)
            self._maybe_close_room(ticket.room)

    async def _send_direct(self, conn: ServerConnection, event: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionClosed):
            await conn.send(P.encode(event).decode())

    async def _dispatch(self, hub: RoomHub, member: GatewayMember, raw: str | bytes) -> None:
        try:
            cmd = P.decode_command(raw, max_bytes=self.config.max_frame_bytes)
        except P.ProtocolError as exc:
            M.PROTOCOL_ERRORS.labels(exc.code).inc()
            member.errors += 1
            hub.send(member, P.error_event(code=exc.code, message=exc.message, ref=exc.ref))
            if member.errors >= self.config.max_protocol_errors:
                hub.drop(member, C.CLOSE_POLICY, "too many protocol errors")
            return
        if isinstance(cmd, P.Send):
            await self._on_send(hub, member, cmd)
        elif isinstance(cmd, P.Ping):
            hub.send(member, P.pong_event(ref=cmd.nonce, ts=int(time.time() * 1000)))
        elif isinstance(cmd, P.Hello):
            hub.send(member, P.error_event(code=C.ERR_BAD_FRAME, message="already in the room", ref=None))
        else:
            await self._on_moderation(hub, member, cmd)

    async def _on_send(self, hub: RoomHub, member: GatewayMember, cmd: P.Send) -> None:
        ticket = member.ticket
        state = self.states[hub.room]
        now = time.time()
        outcome = self.pipeline.check(
            sender=ticket, room=state, text=cmd.text, ip=member.ip, now=now, mono=time.monotonic()
        )
        M.MESSAGES.labels(outcome.status).inc()
        if outcome.status not in (ACCEPTED, HELD):
            assert outcome.code is not None
            M.REFUSALS.labels(outcome.code).inc()
            if outcome.code == C.ERR_BLOCKED and ticket.user_id is not None:
                # the classifier blocked it: stored for the record (trust & safety's case and statement of
                # reasons), never in the timeline; the sender still gets the refusal
                self.sink.add(
                    ChatRecord(
                        message_id=new_id(),
                        room=hub.room,
                        seq=None,
                        user_id=ticket.user_id,
                        login=ticket.login or "",
                        role=ticket.role,
                        text=outcome.text,
                        ts=int(now * 1000),
                        status=STATUS_BLOCKED,
                        reason=outcome.reason,
                        ip=member.ip,
                    )
                )
            hub.send(
                member,
                P.error_event(
                    code=outcome.code, message=outcome.message, ref=cmd.nonce, retry_after=outcome.retry_after
                ),
            )
            return
        assert ticket.user_id is not None
        message_id = new_id()
        ts = int(now * 1000)
        seq: int | None = None
        if outcome.status == ACCEPTED:
            user = P.user_ref(ticket.user_id, ticket.login, ticket.role, badges_of(ticket.flags))
            tail = P.encode_tail(
                P.message_event(message_id=message_id, user=user, text=outcome.text, ts=ts, mentions=outcome.mentions)
            )
            try:
                seq = await self.bus.publish(hub.room, tail)
            except Exception as exc:  # any bus (Redis, in-process) failing: say so, keep the socket
                log.warning("chat publish failed: %s", exc, extra={"room": hub.room})
                hub.send(member, P.error_event(code=C.ERR_INTERNAL, message="try again in a moment", ref=cmd.nonce))
                return
        self.sink.add(
            ChatRecord(
                message_id=message_id,
                room=hub.room,
                seq=seq,
                user_id=ticket.user_id,
                login=ticket.login or "",
                role=ticket.role,
                text=outcome.text,
                ts=ts,
                status=STATUS_VISIBLE if seq is not None else STATUS_HELD,
                reason=outcome.reason,
                ip=member.ip,
            )
        )
        if member.kicked is None:
            hub.send(member, P.ack_event(ref=cmd.nonce, status=outcome.status, message_id=message_id))

    async def _on_moderation(self, hub: RoomHub, member: GatewayMember, cmd: P.Command) -> None:
        ticket = member.ticket
        state = self.states[hub.room]
        ref = getattr(cmd, "nonce", None)
        try:
            target = getattr(cmd, "user_id", None)
            action = plan_action(
                cmd,  # type: ignore[arg-type]
                actor=ticket,
                room=hub.room,
                mode=state.mode,
                ts=int(time.time() * 1000),
                target_role=hub.user_role(target) if target is not None else None,
                message_author=hub.message_author(cmd.message_id) if isinstance(cmd, P.Delete) else None,
                purge_ids=hub.user_message_ids(cmd.user_id) if isinstance(cmd, P.Purge) else (),
            )
            action = await self.recorder.record(action)
        except ActionRefused as exc:
            M.REFUSALS.labels(exc.code).inc()
            hub.send(member, P.error_event(code=exc.code, message=exc.message, ref=ref))
            return
        M.MODERATION.labels(action.kind).inc()
        await self.publish(hub.room, action.event(now=time.time()))
        if action.kind in ("delete", "purge"):
            from stagedoor.chat.pipeline.sink import DeletionRecord

            self.sink.add_deletion(DeletionRecord(hub.room, action.message_ids, action.actor_id, action.ts))
        if member.kicked is None:
            hub.send(member, P.ack_event(ref=ref, status="done"))

    # --- for the rest of the platform (tips, goals, notices, REST moderation) --------
    async def publish(self, room: str, event: dict[str, Any]) -> int:
        """Put any timeline event into a room (tips and goals from the wallet, notices)."""
        return await self.bus.publish(room, P.encode_tail(event))

    # --- background ----------------------------------------------------------------
    async def presence_loop(self, stop: asyncio.Event) -> None:
        last_prune = time.monotonic()
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.config.presence_interval)
            try:
                await self.presence_tick()
            except Exception:
                log.exception("chat presence update failed")
            if time.monotonic() - last_prune > 60:
                last_prune = time.monotonic()
                self.pipeline.prune(last_prune)

    async def presence_tick(self) -> None:
        counts = {room: len(hub) for room, hub in self.hubs.items()}
        await self.bus.presence_report(self.config.node, counts)
        for room in counts:
            total = await self.bus.presence_total(room)
            hub = self.hubs.get(room)
            if hub is not None and self._presence.get(room) != total:
                self._presence[room] = total
                hub.broadcast(P.encode(P.presence_event(count=total)))

    async def close(self) -> None:
        for h in self._linger.values():
            h.cancel()
        self._linger.clear()
        for task in list(self._tasks):
            task.cancel()
        await self.sink.close()


def _select_subprotocol(conn: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol | None:
    """Ours when offered; no subprotocol otherwise (the version also rides in ``hello``)."""
    return _SUBPROTOCOL if _SUBPROTOCOL in offered else None


@dataclass
class RunningGateway:
    gateway: ChatGateway
    server: Server
    stop: asyncio.Event
    presence_task: asyncio.Task[None]

    @property
    def port(self) -> int:
        return int(next(iter(self.server.sockets)).getsockname()[1])

    async def close(self) -> None:
        self.stop.set()
        self.server.close(close_connections=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), timeout=5)
        await asyncio.gather(self.presence_task, return_exceptions=True)
        await self.gateway.close()


async def start_chat_gateway(host: str, port: int, gateway: ChatGateway) -> RunningGateway:
    cfg = gateway.config
    server = await serve(
        gateway.handler,
        host,
        port,
        compression=None,
        max_size=cfg.max_frame_bytes,
        max_queue=4,
        ping_interval=cfg.ping_interval,
        ping_timeout=cfg.ping_timeout,
        close_timeout=2,
        select_subprotocol=_select_subprotocol,
        subprotocols=[_SUBPROTOCOL],
        backlog=cfg.backlog,
        server_header=None,
    )
    gateway.server = server
    stop = asyncio.Event()
    presence = asyncio.create_task(gateway.presence_loop(stop), name="chat-presence")
    return RunningGateway(gateway, server, stop, presence)


async def serve_chat_gateway(
    host: str,
    port: int,
    *,
    gateway: ChatGateway | None = None,
    config: GatewayConfig | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[RunningGateway], None] | None = None,
) -> None:
    """Serve chat until ``stop`` is set (or forever). Runs in the caller's loop, so it can
    share uvicorn's loop (embedded) or be the only thing a process runs (standalone)."""
    if gateway is None:
        if config is None:
            raise ValueError("give a gateway or a config")
        gateway = ChatGateway(config)
    running = await start_chat_gateway(host, port, gateway)
    log.info("chat gateway listening", extra={"host": host, "port": running.port, "node": gateway.config.node})
    if ready is not None:
        ready(running)
    try:
        if stop is None:
            await asyncio.Future()  # until cancelled
        else:
            await stop.wait()
    finally:
        await running.close()
