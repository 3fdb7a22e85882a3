"""Stream health shared through Redis: an ingest on another node feeds the studio and staff panels."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
import redis

from stagedoor.streaming import health_store, selectors
from stagedoor.streaming.health import StreamHealth

if TYPE_CHECKING:
    from pytest_django import Settings


def sample(room: str = "nova", **changes: Any) -> StreamHealth:
    health = StreamHealth(
        room=room,
        state="live",
        uptime_s=12.5,
        input_bitrate_kbps=2450.0,
        fps=30.0,
        keyframe_interval_s=1.0,
        width=1280,
        height=720,
        video_codec="avc1.64001f",
        audio_codec="mp4a.40.2",
        dropped_frames=0,
        encoder_speed=1.01,
        transcoder_restarts=0,
        rungs=["src", "480p", "240p"],
        warnings=[{"code": "keyframe_interval", "message": "Set the keyframe interval to 1 or 2 s."}],
    )
    return replace(health, **changes)


def test_decode_refuses_what_it_cannot_trust() -> None:
    assert health_store.decode(health_store.encode(sample())) == sample()
    assert health_store.decode(b"{not json") is None
    assert health_store.decode(b'{"room": "nova"}') is None  # another version's shape
    assert health_store.decode(b"[1, 2]") is None


def test_without_redis_and_without_a_local_ingest_nothing_is_observed(settings: Settings) -> None:
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url=None)
    assert health_store.sink() is None
    assert selectors.stream_health("nova") is None and selectors.ingest_observed() is False


def test_a_web_node_reads_what_an_ingest_elsewhere_shared(settings: Settings, redis_url: str) -> None:
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url=redis_url)
    client = redis.Redis.from_url(redis_url)
    client.delete(health_store.KEY.format(room="nova"), health_store.KEY.format(room="vega"))

    async def ingest_side() -> None:
        sink = health_store.sink()
        assert sink is not None
        await sink(sample())
        await sink(sample("vega", state="reconnecting"))
        await sink.close()

    asyncio.run(ingest_side())
    assert selectors.ingest_observed() is True
    assert selectors.stream_health("nova") == sample()
    vega = selectors.stream_health("vega")
    assert vega is not None and vega.state == "reconnecting"
    assert 0 < client.ttl(health_store.KEY.format(room="nova")) <= health_store.TTL_S  # a dead ingest's expire

    async def goes_offline() -> None:
        sink = health_store.sink()
        assert sink is not None
        await sink.forget("vega")
        await sink.close()

    asyncio.run(goes_offline())
    assert selectors.stream_health("vega") is None and selectors.stream_health("nova") is not None


def test_an_unreachable_redis_reads_as_no_health(settings: Settings) -> None:
    settings.STAGEDOOR = replace(settings.STAGEDOOR, redis_url="redis://127.0.0.1:1/0")
    health_store._readers.clear()
    assert selectors.stream_health("nova") is None  # logged, not raised: the panel says "not observed"


@pytest.fixture(autouse=True)
def _fresh_readers() -> Iterator[None]:
    health_store._readers.clear()
    yield
    health_store._readers.clear()
