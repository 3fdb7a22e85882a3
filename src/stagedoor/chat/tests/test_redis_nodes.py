"""Two gateway nodes on one Redis: order, sequence agreement, moderation and presence."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.fanout import RedisChatBus
from stagedoor.chat.gateway import ChatGateway, GatewayConfig, RunningGateway, start_chat_gateway
from stagedoor.chat.pipeline.message import PipelineConfig
from stagedoor.conftest import reachable_redis_url

from .support import KEY, ChatClient, run, ticket

pytestmark = pytest.mark.redis


def _redis_url() -> str:
    return reachable_redis_url()  # skips, or fails under CI when a Redis URL is set but unreachable


@asynccontextmanager
async def two_nodes() -> AsyncIterator[tuple[RunningGateway, RunningGateway]]:
    url = _redis_url()
    tag = secrets.token_hex(4)
    prefix = f"test-chat-{tag}:"
    nodes = []
    try:
        for name in ("A", "B"):
            bus = RedisChatBus(url, fanout_prefix=prefix, key_prefix=prefix + "k:")
            cfg = GatewayConfig(ticket_key=KEY, node=name, pipeline=PipelineConfig(ip_burst=None, user_burst=1000))
            nodes.append(await start_chat_gateway("127.0.0.1", 0, ChatGateway(cfg, bus=bus)))
        yield nodes[0], nodes[1]
    finally:
        for n in nodes:
            await n.close()
            await n.gateway.bus.close()
        import redis.asyncio as aioredis

        r = aioredis.Redis.from_url(url)
        keys = [k async for k in r.scan_iter(match=prefix + "*")]
        if keys:
            await r.delete(*keys)
        await r.aclose()


def on_two_nodes(test: Callable[[RunningGateway, RunningGateway], Awaitable[None]]) -> None:
    async def main() -> None:
        async with two_nodes() as (a, b):
            await test(a, b)

    run(main())


def test_message_on_node_a_arrives_on_node_b_in_order() -> None:
    async def t(a: RunningGateway, b: RunningGateway) -> None:
        alice = await ChatClient.join(a.port, ticket(user_id=1, login="alice"))
        bob = await ChatClient.join(b.port, ticket(user_id=2, login="bob"))
        carol = await ChatClient.join(b.port, ticket(user_id=3, login="carol"))
        for i in range(30):
            await alice.send(C.CMD_SEND, text=f"a{i}", nonce=f"a{i}")
            if i % 3 == 0:
                await carol.send(C.CMD_SEND, text=f"c{i}", nonce=f"c{i}")
        await bob.expect(lambda e: e.get("text") == "a29", timeout=10)
        await bob.expect(lambda e: e.get("text") == "c27", timeout=10)
        await alice.expect(lambda e: e.get("text") == "c27", timeout=10)
        on_b = [(m["seq"], m["text"]) for m in bob.of(C.EV_MESSAGE)]
        on_a = [(m["seq"], m["text"]) for m in alice.of(C.EV_MESSAGE)]
        # same sequence numbers, same order, on both nodes; no gaps, no duplicates
        assert on_a == on_b
        assert [s for s, _ in on_b] == list(range(1, 41))
        assert [t for _, t in on_b if t.startswith("a")] == [f"a{i}" for i in range(30)]

    on_two_nodes(t)


def test_late_node_and_resume_across_nodes() -> None:
    async def t(a: RunningGateway, b: RunningGateway) -> None:
        alice = await ChatClient.join(a.port, ticket(user_id=1, login="alice"))
        for i in range(5):
            await alice.say(f"m{i}")
        # node B opens the room only now: history comes from Redis
        bob = await ChatClient.join(b.port, ticket(user_id=2, login="bob"))
        assert [h["text"] for h in bob.welcome["history"]] == [f"m{i}" for i in range(5)]
        await bob.close()
        for i in range(5, 8):
            await alice.say(f"m{i}")
        # reconnect to node B with the last sequence seen on node B... via node A's ring
        bob2 = await ChatClient.join(b.port, ticket(user_id=2, login="bob"), last_seq=5)
        await bob2.expect(lambda e: e.get("text") == "m7")
        assert [m["text"] for m in bob2.of(C.EV_MESSAGE)] == ["m5", "m6", "m7"]

    on_two_nodes(t)


def test_moderation_on_node_b_applies_on_node_a() -> None:
    async def t(a: RunningGateway, b: RunningGateway) -> None:
        troll = await ChatClient.join(a.port, ticket(user_id=20, login="troll"))
        mod = await ChatClient.join(
            b.port,
            ticket(user_id=10, login="host", role="chat_host", perms={C.PERM_READ, C.PERM_WRITE, C.PERM_MODERATE}),
        )
        ack = await troll.say("spam")
        await mod.expect(lambda e: e.get("id") == ack["id"])
        await mod.send(C.CMD_DELETE, message_id=ack["id"], nonce="d")
        await troll.expect(lambda e: e["type"] == C.EV_MESSAGE_DELETED and e["id"] == ack["id"])
        await mod.send(C.CMD_MODE, slow_seconds=60, nonce="m")
        await troll.expect(lambda e: e["type"] == C.EV_ROOM_MODE)
        assert a.gateway.states["room1"].mode.slow_seconds == 60
        await mod.send(C.CMD_BAN, user_id="20", nonce="b")
        assert (await troll.wait_closed())[0] == C.CLOSE_BANNED

    on_two_nodes(t)


def test_presence_sums_both_nodes() -> None:
    async def t(a: RunningGateway, b: RunningGateway) -> None:
        x = await ChatClient.join(a.port, ticket(user_id=1))
        y = await ChatClient.join(b.port, ticket(user_id=2))
        z = await ChatClient.join(b.port, ticket(user_id=None, login=None, role="anonymous"))
        await a.gateway.presence_tick()
        await b.gateway.presence_tick()
        await a.gateway.presence_tick()
        await x.expect(lambda e: e["type"] == C.EV_PRESENCE and e["count"] == 3)
        await z.expect(lambda e: e["type"] == C.EV_PRESENCE and e["count"] == 3)
        assert await b.gateway.bus.presence_total("room1") == 3
        await y.close()

    on_two_nodes(t)


def test_platform_events_published_anywhere_reach_every_node() -> None:
    async def t(a: RunningGateway, b: RunningGateway) -> None:
        x = await ChatClient.join(a.port, ticket(user_id=1))
        y = await ChatClient.join(b.port, ticket(user_id=2))
        seq = await a.gateway.publish(
            "room1", P.tip_event(tip_id="t", user=P.user_ref("1", "x", "viewer"), amount=5, ts=1)
        )
        for c in (x, y):
            tip = await c.expect(lambda e: e["type"] == C.EV_TIP)
            assert tip["seq"] == seq == 1

    on_two_nodes(t)


def test_presence_reaches_sync_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """What pages and the directory read (runtime.presence_total_sync) sees the nodes' counts."""
    from stagedoor.chat import runtime

    url = _redis_url()

    async def t(a: RunningGateway, b: RunningGateway) -> None:
        await ChatClient.join(a.port, ticket(user_id=1))
        await ChatClient.join(b.port, ticket(user_id=2))
        await a.gateway.presence_tick()
        await b.gateway.presence_tick()
        bus = a.gateway.bus
        assert isinstance(bus, RedisChatBus)
        monkeypatch.setattr(runtime, "redis_url", lambda: url)
        monkeypatch.setattr(runtime, "KEY_PREFIX", bus._keys)
        monkeypatch.setattr(runtime, "_sync_redis", None)
        import asyncio

        assert await asyncio.to_thread(runtime.presence_total_sync, "room1") == 2

    on_two_nodes(t)


def test_two_gateway_processes_on_one_redis() -> None:
    """Two separate OS processes (as two web nodes would be), one Redis: a message sent on
    node A arrives on node B, in order, with the same sequence numbers."""
    import subprocess
    import sys

    from .support import KEY

    url = _redis_url()
    prefix = f"test-chat-proc-{secrets.token_hex(4)}:"
    procs = []
    try:
        ports = []
        for node in ("A", "B"):
            p = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "stagedoor.chat",
                    "--port",
                    "0",
                    "--key-hex",
                    KEY.hex(),
                    "--redis",
                    url,
                    "--prefix",
                    prefix,
                    "--node",
                    node,
                    "--no-ip-limit",
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            procs.append(p)
            assert p.stdout is not None
            line = p.stdout.readline()
            assert line.startswith("READY"), line
            ports.append(int(line.split()[1]))

        async def t() -> None:
            sender = await ChatClient.join(ports[0], ticket(user_id=1, login="alice"))
            watcher = await ChatClient.join(ports[1], ticket(user_id=2, login="bob"))
            for i in range(3):  # the per-user limit (3 per 2 s) is on in these processes
                assert (await sender.say(f"p{i}"))["type"] == C.EV_ACK
            await watcher.expect(lambda e: e.get("text") == "p2", timeout=10)
            got = [(m["seq"], m["text"]) for m in watcher.of(C.EV_MESSAGE)]
            assert got == [(1, "p0"), (2, "p1"), (3, "p2")]
            assert watcher.welcome["node"] == "B" and sender.welcome["node"] == "A"
            await sender.close()
            await watcher.close()

        run(t())
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
        import redis

        r = redis.Redis.from_url(url)
        keys = list(r.scan_iter(match=prefix + "*"))
        if keys:
            r.delete(*keys)
