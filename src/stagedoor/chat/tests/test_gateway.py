"""The gateway over real WebSockets on ephemeral ports (in-process fan-out)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.gateway import ChatGateway, GatewayConfig, RunningGateway, start_chat_gateway
from stagedoor.chat.moderation import MemoryRecorder
from stagedoor.chat.pipeline.message import PipelineConfig
from stagedoor.chat.pipeline.sink import InMemorySink

from .support import KEY, ChatClient, run, ticket, wait_for

MOD_PERMS = {C.PERM_READ, C.PERM_WRITE, C.PERM_MODERATE}


def with_gateway(test: Callable[[RunningGateway], Awaitable[None]], **config: Any) -> None:
    # Every test client comes from 127.0.0.1 and tests send in bursts: the limits have their
    # own unit tests, and test_flooding_client... runs with the real per-user burst.
    config.setdefault("pipeline", PipelineConfig(ip_burst=None, user_burst=1000))

    async def main() -> None:
        gw = ChatGateway(GatewayConfig(ticket_key=KEY, **config), sink=InMemorySink(), recorder=MemoryRecorder())
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        try:
            await test(running)
        finally:
            await running.close()

    run(main())


def test_two_clients_chat_in_order() -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(g.port, ticket(user_id=1, login="alice"))
        b = await ChatClient.join(g.port, ticket(user_id=2, login="bob", role="performer"))
        assert a.welcome["you"] == {"id": "1", "login": "alice", "role": "viewer", "perms": ["read", "write"]}
        assert a.welcome["resumed"] is False and a.welcome["history"] == []
        for i in range(5):
            ack = await a.say(f"line {i} @bob")
            assert ack["type"] == C.EV_ACK and ack["status"] == "accepted"
        await b.expect(lambda e: e.get("text") == "line 4 @bob")
        got = b.of(C.EV_MESSAGE)
        assert [m["text"] for m in got] == [f"line {i} @bob" for i in range(5)]
        assert [m["seq"] for m in got] == [1, 2, 3, 4, 5]
        assert got[0]["user"] == {"id": "1", "login": "alice", "role": "viewer"} and got[0]["mentions"] == ["bob"]
        sink = g.gateway.sink
        assert isinstance(sink, InMemorySink)
        assert [r.seq for r in sink.records] == [1, 2, 3, 4, 5]
        assert sink.records[0].text == "line 0 @bob" and sink.records[0].user_id == "1"
        # a late joiner gets the history
        c = await ChatClient.join(g.port, ticket(user_id=3, login="carol"))
        assert [h["text"] for h in c.welcome["history"]] == [f"line {i} @bob" for i in range(5)]
        for x in (a, b, c):
            await x.close()

    with_gateway(t)


def test_anonymous_reads_but_may_not_write() -> None:
    async def t(g: RunningGateway) -> None:
        anon = await ChatClient.join(g.port, ticket(user_id=None, login=None, role="anonymous"))
        a = await ChatClient.join(g.port, ticket(user_id=1))
        err = await anon.say("hi")
        assert err["type"] == C.EV_ERROR and err["code"] == C.ERR_FORBIDDEN
        await a.say("hello all")
        await anon.expect(lambda e: e.get("text") == "hello all")
        assert [m["text"] for m in anon.of(C.EV_MESSAGE)] == ["hello all"]
        await anon.close()
        await a.close()

    with_gateway(t)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: "garbage", C.ERR_BAD_TICKET),
        (lambda: ticket(key=b"another-key-another-key-another-key"), C.ERR_BAD_TICKET),
        (lambda: ticket(ttl=-5), C.ERR_TICKET_EXPIRED),
    ],
)
def test_bad_tickets_are_refused(make: Callable[[], str], code: str) -> None:
    async def t(g: RunningGateway) -> None:
        c = await ChatClient.join(g.port, make())
        assert c.events[0] == {"type": "error", "code": code, "message": c.events[0]["message"]}
        assert (await c.wait_closed())[0] == C.CLOSE_UNAUTHORIZED
        assert len(g.gateway.hubs) == 0

    with_gateway(t)


def test_first_frame_must_be_hello_and_in_time() -> None:
    async def t(g: RunningGateway) -> None:
        ws = await connect(f"ws://127.0.0.1:{g.port}/", compression=None)
        c = ChatClient(ws)
        await c.send(C.CMD_SEND, text="hi")
        e = await c.expect(lambda e: e["type"] == C.EV_ERROR)
        assert e["code"] == C.ERR_NOT_AUTHENTICATED
        assert (await c.wait_closed())[0] == C.CLOSE_UNAUTHORIZED
        silent = ChatClient(await connect(f"ws://127.0.0.1:{g.port}/", compression=None))
        assert (await silent.wait_closed())[0] == C.CLOSE_HELLO_TIMEOUT

    with_gateway(t, hello_timeout=0.3)


def test_bad_input_gets_error_events_and_the_room_goes_on() -> None:
    async def t(g: RunningGateway) -> None:
        bad = await ChatClient.join(g.port, ticket(user_id=1))
        other = await ChatClient.join(g.port, ticket(user_id=2))
        await bad.ws.send("{this is not json")
        e = await bad.expect(lambda e: e["type"] == C.EV_ERROR and e["code"] == C.ERR_BAD_JSON)
        await bad.send("explode", nonce="x1")
        e = await bad.expect(lambda e: e["type"] == C.EV_ERROR and e["code"] == C.ERR_UNKNOWN_TYPE)
        assert e["ref"] == "x1"
        await bad.ws.send(b'{"type":"ping"}')
        await bad.expect(lambda e: e["type"] == C.EV_ERROR and e["code"] == C.ERR_BAD_FRAME)
        await bad.send(C.CMD_SEND, text=5)
        await bad.expect(lambda e: e["type"] == C.EV_ERROR and e["code"] == C.ERR_BAD_FIELD)
        # still in the room, both ways
        await bad.send(C.CMD_PING, nonce="p")
        await bad.expect(lambda e: e["type"] == C.EV_PONG and e["ref"] == "p")
        await other.say("still here")
        await bad.expect(lambda e: e.get("text") == "still here")
        assert bad.closed is None

    with_gateway(t)


def test_ten_megabyte_frame_closes_that_socket_only() -> None:
    async def t(g: RunningGateway) -> None:
        big = await ChatClient.join(g.port, ticket(user_id=1), max_size=None)
        other = await ChatClient.join(g.port, ticket(user_id=2))
        with contextlib.suppress(ConnectionClosed, OSError):
            await big.ws.send("x" * (10 * 1024 * 1024))
        code, _ = await big.wait_closed()
        assert code in (C.CLOSE_TOO_BIG, None)  # None: the reset won the race with the close frame
        await wait_for(lambda: len(g.gateway.hubs["room1"]) == 1, what="big client gone")
        await other.say("room goes on")
        await other.expect(lambda e: e.get("text") == "room goes on")

    with_gateway(t)


def answer_to(nonce: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event.get("ref") == nonce


def test_flooding_client_is_muted_then_closed_room_goes_on() -> None:
    async def t(g: RunningGateway) -> None:
        flood = await ChatClient.join(g.port, ticket(user_id=1))
        other = await ChatClient.join(g.port, ticket(user_id=2))
        # One at a time first, each answer awaited: 3 messages pass (Owncast's burst), then the mute.
        answers = []
        for i in range(6):
            await flood.send(C.CMD_SEND, text=f"spam {i}", nonce=f"s{i}")
            answers.append(await flood.expect(answer_to(f"s{i}"), what=f"answer to s{i}"))
        assert [a["type"] for a in answers] == [C.EV_ACK] * 3 + [C.EV_ERROR] * 3
        assert {a["code"] for a in answers[3:]} == {C.ERR_MUTED}
        # Then a flood of frames without waiting: the client is closed (what it was still owed is not
        # flushed to a flooder, so only the close is asserted here).
        with contextlib.suppress(ConnectionClosed):
            for i in range(6, 200):
                await flood.send(C.CMD_SEND, text=f"spam {i}", nonce=f"s{i}")
        code, reason = await flood.wait_closed()
        assert code == C.CLOSE_FLOOD and "flood" in reason
        await other.say("calm")
        await other.expect(lambda e: e.get("text") == "calm")
        assert [m["text"] for m in other.of(C.EV_MESSAGE)] == ["spam 0", "spam 1", "spam 2", "calm"]

    # The real per-user burst (3) and frame burst (30), with refills slowed to nothing so that a loaded
    # machine's slower sends change nothing (the limiters' timing has its own unit tests).
    with_gateway(t, pipeline=PipelineConfig(ip_burst=None, user_per_seconds=3600.0), frame_per_seconds=0.001)


def test_resume_after_reconnect_gets_exactly_what_was_missed() -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(g.port, ticket(user_id=1))
        b = await ChatClient.join(g.port, ticket(user_id=2))
        for i in range(3):
            await a.say(f"before {i}")
        await b.expect(lambda e: e.get("text") == "before 2")
        last = b.of(C.EV_MESSAGE)[-1]["seq"]
        await b.close()
        for i in range(4):
            await a.say(f"missed {i}")
        b2 = await ChatClient.join(g.port, ticket(user_id=2), last_seq=last)
        assert b2.welcome["resumed"] is True and b2.welcome["history"] == []
        await b2.expect(lambda e: e.get("text") == "missed 3")
        await a.say("live")
        await b2.expect(lambda e: e.get("text") == "live")
        assert [m["text"] for m in b2.of(C.EV_MESSAGE)] == [f"missed {i}" for i in range(4)] + ["live"]
        assert [m["seq"] for m in b2.of(C.EV_MESSAGE)] == [4, 5, 6, 7, 8]

    with_gateway(t)


def test_moderation_delete_timeout_ban_and_modes() -> None:
    async def t(g: RunningGateway) -> None:
        mod = await ChatClient.join(g.port, ticket(user_id=10, login="host", role="chat_host", perms=MOD_PERMS))
        troll = await ChatClient.join(g.port, ticket(user_id=20, login="troll"))
        viewer = await ChatClient.join(g.port, ticket(user_id=30, login="vic"))
        ack = await troll.say("first troll line")
        await troll.say("second troll line")
        # a viewer may not moderate
        await viewer.send(C.CMD_DELETE, message_id=ack["id"], nonce="v1")
        e = await viewer.expect(lambda e: e.get("ref") == "v1")
        assert e["code"] == C.ERR_FORBIDDEN
        # delete one line: announced to everyone, gone from history
        await mod.send(C.CMD_DELETE, message_id=ack["id"], nonce="d1")
        await mod.expect(lambda e: e["type"] == C.EV_ACK and e["ref"] == "d1")
        dele = await viewer.expect(lambda e: e["type"] == C.EV_MESSAGE_DELETED)
        assert dele["id"] == ack["id"] and dele["by"]["login"] == "host"
        late = await ChatClient.join(g.port, ticket(user_id=31, login="late"))
        assert [h["text"] for h in late.welcome["history"]] == ["second troll line"]
        # time-out: out of range refused, then 60 s
        await mod.send(C.CMD_TIMEOUT, user_id="20", seconds=5, nonce="t0")
        assert (await mod.expect(lambda e: e.get("ref") == "t0"))["code"] == C.ERR_INVALID_DURATION
        await mod.send(C.CMD_TIMEOUT, user_id="20", seconds=60, reason="calm down", nonce="t1")
        to = await viewer.expect(lambda e: e["type"] == C.EV_USER_TIMED_OUT)
        assert to["user_id"] == "20" and to["seconds"] == 60 and to["reason"] == "calm down"
        err = await troll.say("can I talk?")
        assert err["code"] == C.ERR_TIMED_OUT and 0 < err["retry_after"] <= 60
        # purge what is left of the troll
        await mod.send(C.CMD_PURGE, user_id="20", nonce="p1")
        purge = await viewer.expect(lambda e: e["type"] == C.EV_USER_PURGED)
        assert len(purge["ids"]) == 1
        # ban: the troll's socket is closed, and it cannot come back
        await mod.send(C.CMD_BAN, user_id="20", reason="spam", nonce="b1")
        assert (await troll.wait_closed())[0] == C.CLOSE_BANNED
        back = await ChatClient.join(g.port, ticket(user_id=20, login="troll"))
        assert back.events[0]["code"] == C.ERR_BANNED
        assert (await back.wait_closed())[0] == C.CLOSE_BANNED
        # slow mode and followers-only
        await mod.send(C.CMD_MODE, slow_seconds=30, nonce="m1")
        mode = await viewer.expect(lambda e: e["type"] == C.EV_ROOM_MODE)
        assert mode["mode"]["slow_seconds"] == 30
        assert (await viewer.say("one"))["type"] == C.EV_ACK
        assert (await viewer.say("two"))["code"] == C.ERR_SLOW_MODE
        await mod.send(C.CMD_MODE, slow_seconds=0, audience="followers", nonce="m2")
        await late.expect(lambda e: e["type"] == C.EV_ROOM_MODE and e["mode"]["audience"] == "followers")
        assert (await late.say("hi"))["code"] == C.ERR_AUDIENCE_RESTRICTED
        # every action was recorded
        recorder = g.gateway.recorder
        assert isinstance(recorder, MemoryRecorder)
        assert [a.kind for a in recorder.actions] == ["delete", "timeout", "purge", "ban", "mode", "mode"]

    with_gateway(t)


def test_chat_host_cannot_touch_the_performer_but_platform_moderator_can() -> None:
    async def t(g: RunningGateway) -> None:
        star = await ChatClient.join(g.port, ticket(user_id=1, login="star", role="performer", perms=MOD_PERMS))
        host = await ChatClient.join(g.port, ticket(user_id=2, login="host", role="chat_host", perms=MOD_PERMS))
        staff = await ChatClient.join(g.port, ticket(user_id=3, login="staff", role="moderator", perms=MOD_PERMS))
        await host.send(C.CMD_TIMEOUT, user_id="1", seconds=60, nonce="h")
        assert (await host.expect(lambda e: e.get("ref") == "h"))["code"] == C.ERR_FORBIDDEN
        await host.send(C.CMD_BAN, user_id="2", nonce="self")
        assert (await host.expect(lambda e: e.get("ref") == "self"))["code"] == C.ERR_FORBIDDEN
        await staff.send(C.CMD_TIMEOUT, user_id="1", seconds=60, nonce="s")
        assert (await staff.expect(lambda e: e.get("ref") == "s"))["type"] == C.EV_ACK
        await star.expect(lambda e: e["type"] == C.EV_USER_TIMED_OUT)

    with_gateway(t)


def test_slow_consumer_is_dropped_and_the_room_goes_on() -> None:
    async def t(g: RunningGateway) -> None:
        # A client that never reads, with a tiny receive buffer.
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", g.port))
        stuck = await connect(f"ws://127.0.0.1:{g.port}/", sock=sock, compression=None, max_queue=1)
        await stuck.send(P.encode_command(C.CMD_HELLO, ticket=ticket(user_id=5)))
        stuck.transport.pause_reading()
        good = await ChatClient.join(g.port, ticket(user_id=6), max_size=None)
        hub = g.gateway.hubs["room1"]
        await wait_for(lambda: len(hub) == 2, what="both joined")
        text = "x" * 7000
        sent = 0
        while hub.dropped == 0:
            await g.gateway.publish("room1", P.notice_event(text=text, ts=sent))
            sent += 1
            assert sent < 5000, "never dropped"
            await asyncio.sleep(0)  # let the loop write
        assert len(hub) == 1
        await good.expect(lambda e: e["type"] == C.EV_NOTICE and e["ts"] == sent - 1, timeout=20)
        assert len(good.of(C.EV_NOTICE)) == sent
        stuck.transport.abort()

    with_gateway(t, max_buffer_bytes=64 * 1024)


def test_presence_counts_sockets() -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(g.port, ticket(user_id=1))
        b = await ChatClient.join(g.port, ticket(user_id=None, login=None, role="anonymous"))
        await g.gateway.presence_tick()
        assert (await a.expect(lambda e: e["type"] == C.EV_PRESENCE))["count"] == 2
        await b.close()
        await wait_for(lambda: len(g.gateway.hubs["room1"]) == 1, what="b gone")
        await g.gateway.presence_tick()
        await a.expect(lambda e: e["type"] == C.EV_PRESENCE and e["count"] == 1)

    with_gateway(t, presence_interval=3600)


def test_tips_and_notices_from_the_platform_reach_the_room() -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(g.port, ticket(user_id=1))
        await g.gateway.publish(
            "room1", P.tip_event(tip_id="t1", user=P.user_ref("2", "bob", "viewer"), amount=50, ts=1, note="for you")
        )
        await g.gateway.publish("room1", P.goal_event(goal_id="g1", title="dance", target=100, progress=50, ts=2))
        tip = await a.expect(lambda e: e["type"] == C.EV_TIP)
        goal = await a.expect(lambda e: e["type"] == C.EV_GOAL)
        assert (tip["amount"], tip["seq"], goal["progress"], goal["reached"], goal["seq"]) == (50, 1, 50, False, 2)

    with_gateway(t)


def test_a_failing_backend_gets_an_error_not_a_dead_socket() -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(g.port, ticket(user_id=1))
        real = g.gateway.bus.publish

        async def broken(room: str, tail: bytes) -> int:
            raise ConnectionError("redis is down")

        g.gateway.bus.publish = broken  # type: ignore[method-assign]
        err = await a.say("hello?")
        assert err["type"] == C.EV_ERROR and err["code"] == C.ERR_INTERNAL
        g.gateway.bus.publish = real  # type: ignore[method-assign]
        assert (await a.say("back"))["type"] == C.EV_ACK
        assert a.closed is None

    with_gateway(t)


@pytest.mark.parametrize(
    ("trusted", "forwarded", "seen"),
    [
        # a trusted proxy (by network) forwards: the nearest hop that is not a proxy is the client
        (frozenset({"127.0.0.0/8"}), "203.0.113.7, 10.0.0.2", "10.0.0.2"),
        (frozenset({"127.0.0.0/8", "10.0.0.0/8"}), "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        # an untrusted peer's header is ignored: the peer itself is the client
        (frozenset({"10.0.0.0/8"}), "203.0.113.7", "127.0.0.1"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    trusted: frozenset[str], forwarded: str, seen: str
) -> None:
    async def t(g: RunningGateway) -> None:
        a = await ChatClient.join(
            g.port, ticket(user_id=1, login="alice"), additional_headers={"X-Forwarded-For": forwarded}
        )
        await a.say("hello")
        sink = g.gateway.sink
        assert isinstance(sink, InMemorySink)
        await wait_for(lambda: len(sink.records) == 1, what="the message stored")
        assert sink.records[0].ip == seen
        await a.close()

    with_gateway(t, trusted_proxies=trusted)
