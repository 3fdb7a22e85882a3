from __future__ import annotations

import asyncio
import uuid

import pytest

from stagedoor.core.fanout import InProcessFanout, RedisFanout


async def _collect(backend, channel: str, n: int, send) -> list[bytes]:  # type: ignore[no-untyped-def]
    got: list[bytes] = []
    done = asyncio.Event()

    async def handler(payload: bytes) -> None:
        got.append(payload)
        if len(got) == n:
            done.set()

    unsubscribe = await backend.subscribe(channel, handler)
    await send()
    await asyncio.wait_for(done.wait(), timeout=5)
    await unsubscribe()
    return got


def test_inprocess_fanout_delivers_in_order() -> None:
    async def main() -> list[bytes]:
        backend = InProcessFanout()

        async def send() -> None:
            for i in range(3):
                await backend.publish("room:1", f"m{i}".encode())
            await backend.publish("room:other", b"x")

        return await _collect(backend, "room:1", 3, send)

    assert asyncio.run(main()) == [b"m0", b"m1", b"m2"]


@pytest.mark.redis
def test_redis_fanout_crosses_connections(redis_url: str) -> None:
    channel = f"test:{uuid.uuid4().hex}"

    async def main() -> list[bytes]:
        node_a, node_b = RedisFanout(redis_url), RedisFanout(redis_url)
        try:

            async def send() -> None:
                for i in range(20):
                    await node_a.publish(channel, f"m{i}".encode())

            return await _collect(node_b, channel, 20, send)
        finally:
            await node_a.close()
            await node_b.close()

    assert asyncio.run(main()) == [f"m{i}".encode() for i in range(20)]


@pytest.mark.redis
def test_redis_fanout_resubscribes_after_the_connection_drops(redis_url: str) -> None:
    import redis as sync_redis

    channel = f"test:{uuid.uuid4().hex}"

    async def main() -> list[bytes]:
        node_a, node_b = RedisFanout(redis_url), RedisFanout(redis_url)
        got: list[bytes] = []
        arrived = asyncio.Event()

        async def handler(payload: bytes) -> None:
            got.append(payload)
            arrived.set()

        try:
            await node_b.subscribe(channel, handler)
            # Kill node B's pub/sub connection from the server side, as a Redis restart would.
            admin = sync_redis.Redis.from_url(redis_url)
            killed = 0
            for client in admin.client_list(_type="pubsub"):
                if client.get("sub", "0") != "0":
                    killed += admin.client_kill_filter(_id=client["id"])
            assert killed >= 1
            deadline = asyncio.get_running_loop().time() + 10
            while not got and asyncio.get_running_loop().time() < deadline:
                await node_a.publish(channel, b"after-drop")
                try:
                    await asyncio.wait_for(arrived.wait(), timeout=0.3)
                except TimeoutError:
                    pass
            return got
        finally:
            await node_a.close()
            await node_b.close()

    assert asyncio.run(main())[:1] == [b"after-drop"]
