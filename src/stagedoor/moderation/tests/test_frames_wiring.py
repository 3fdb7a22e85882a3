"""Settings (``FrameScanConfig``), the ingest's consumer registry, and ``frames/wiring.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stagedoor.core.config import ConfigError, FrameScanConfig, load
from stagedoor.moderation.frames.detector import shipped_model_path
from stagedoor.moderation.frames.pdq import HashEntry, HashFileError, ListKind
from stagedoor.moderation.frames.policy import RoomPolicy
from stagedoor.moderation.frames.sampling import SamplingPolicy
from stagedoor.moderation.frames.scanner import FrameFinding, FrameScanner, ScannerSettings
from stagedoor.moderation.frames.wiring import (
    build_frame_scanner,
    frame_scanner_factory,
    hash_files_loader,
    settings_from_config,
)
from stagedoor.streaming import samples
from stagedoor.streaming.samples import (
    CollectingFrameSampleConsumer,
    FrameSample,
    NoopFrameSampleConsumer,
    close_sample_consumer,
    configured_sample_consumer,
    set_sample_consumer_factory,
)
from stagedoor.streaming.tests.rtmp_client import async_wait_until


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"STAGEDOOR_VAR_DIR": str(tmp_path), **{f"STAGEDOOR_MODERATION_{k}": v for k, v in extra.items()}}


def test_frame_scan_settings_defaults_and_values(tmp_path: Path) -> None:
    assert load(env(tmp_path)).frames == FrameScanConfig("", 31, 32, 1, 10.0, 30.0)
    model = str(shipped_model_path())
    cfg = load(
        env(
            tmp_path,
            NUDITY_MODEL=model,
            HASH_DISTANCE="24",
            FRAME_QUEUE="8",
            FRAME_WORKERS="2",
            SAMPLE_STANDARD_S="6",
            SAMPLE_TRUSTED_S="20",
        )
    ).frames
    assert cfg == FrameScanConfig(model, 24, 8, 2, 6.0, 20.0)
    settings = settings_from_config(cfg, lookup_ttl_s=5.0)
    assert (settings.model_path, settings.max_distance, settings.queue_size, settings.workers) == (model, 24, 8, 2)
    assert settings.sampling == SamplingPolicy(standard_interval_s=6.0, trusted_interval_s=20.0)
    assert settings.lookup_ttl_s == 5.0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NUDITY_MODEL", "/nowhere/model.onnx", "no such file '/nowhere/model.onnx'"),
        ("HASH_DISTANCE", "200", "must be between 0 and 128, got 200"),
        ("HASH_DISTANCE", "close", "expected an integer, got 'close'"),
        ("FRAME_QUEUE", "0", "must be between 1 and 10000, got 0"),
        ("FRAME_WORKERS", "65", "must be between 1 and 64, got 65"),
        ("SAMPLE_TRUSTED_S", "-1", "must be 0 or more (and finite), got '-1'"),
    ],
)
def test_wrong_frame_scan_settings_name_the_variable(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(env(tmp_path, **{name: value}))
    assert str(caught.value) == f"STAGEDOOR_MODERATION_{name}: {message}"


@pytest.fixture
def registry() -> Iterator[None]:
    before = samples._factory
    yield
    set_sample_consumer_factory(before)


def test_the_ingest_gets_the_registered_consumer_or_one_that_does_nothing(registry: None) -> None:
    set_sample_consumer_factory(None)
    assert isinstance(configured_sample_consumer(), NoopFrameSampleConsumer)
    made: list[CollectingFrameSampleConsumer] = []

    def factory() -> CollectingFrameSampleConsumer:
        made.append(CollectingFrameSampleConsumer())
        return made[-1]

    set_sample_consumer_factory(factory)
    first, second = configured_sample_consumer(), configured_sample_consumer()
    assert made == [first, second] and first is not second  # one per ingest server


def test_a_registered_frame_scanner_is_closed_with_the_ingest(registry: None) -> None:
    def no_lists() -> list[HashEntry]:
        return []

    set_sample_consumer_factory(
        frame_scanner_factory(
            sink=lambda finding: None,
            end_stream=lambda room, reason: None,
            trust_lookup=lambda room: None,
            hash_lists_loader=no_lists,
            policy_lookup=lambda room: None,
            settings=ScannerSettings(queue_size=4),
        )
    )
    consumer = configured_sample_consumer()
    assert isinstance(consumer, FrameScanner) and consumer.settings.queue_size == 4

    async def main() -> None:
        await consumer.wait_ready()
        await consumer.consume(FrameSample("room-a", _now(), b"not a jpeg"))
        await async_wait_until(lambda: consumer.stats.undecodable == 1, 10, "the scan")
        await close_sample_consumer(consumer)
        await consumer.consume(FrameSample("room-a", _now(), b"after close"))  # ignored

    asyncio.run(main())
    assert (consumer.stats.received, consumer.stats.undecodable) == (1, 1)
    asyncio.run(close_sample_consumer(NoopFrameSampleConsumer()))  # nothing to close: fine


def _now() -> datetime:
    return datetime.now(UTC)


def test_build_frame_scanner_wires_every_callable() -> None:
    findings: list[FrameFinding] = []
    scanner = build_frame_scanner(
        findings.append,
        lambda room, reason: None,
        lambda room: None,
        lambda: [],
        lambda room: RoomPolicy(non_nude=True),
    )
    assert isinstance(scanner, FrameScanner) and scanner.settings == ScannerSettings()


def test_hash_files_loader_reads_every_file_again_on_each_load(tmp_path: Path) -> None:
    vendor, leaks = tmp_path / "vendor.txt", tmp_path / "ada.txt"
    vendor.write_text("ab" * 32 + ",v-1\n")
    leaks.write_text("cd" * 32 + "\n")
    load_lists = hash_files_loader([(vendor, "vendor", "prohibited", ""), (leaks, "ada", ListKind.LEAKED, "room-ada")])
    assert load_lists() == [
        HashEntry("vendor", ListKind.PROHIBITED, "ab" * 32, "v-1"),
        HashEntry("ada", ListKind.LEAKED, "cd" * 32, "", "room-ada"),
    ]
    vendor.write_text("ab" * 32 + ",v-1\n" + "ef" * 32 + ",v-2\n")
    assert [e.ref for e in load_lists()] == ["v-1", "v-2", ""]
    leaks.write_text("nonsense\n")
    with pytest.raises(HashFileError) as caught:
        load_lists()
    assert caught.value.extra == {"path": str(leaks), "line": 1}
