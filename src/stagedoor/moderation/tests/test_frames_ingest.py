"""Frame scanning on a real ingest: Debian's ffmpeg pushes RTMP to a real ``IngestServer`` whose
transcoder (the imageio ffmpeg) writes the frame samples the scanner sees."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest

from stagedoor.moderation.frames.analysis import FrameAnalyzer
from stagedoor.moderation.frames.detector import NUDENET_LABELS, NudityDetector
from stagedoor.moderation.frames.image import decode_jpeg, jpeg_size
from stagedoor.moderation.frames.pdq import HashIndex, ListKind
from stagedoor.moderation.frames.policy import PlatformPolicy, PublicStream, RoomPolicy, Severity
from stagedoor.moderation.frames.scanner import END_REASON, FrameFinding, FrameScanner
from stagedoor.streaming.ingest import IngestConfig, IngestServer, PublishGrant, PublishRefused, ffmpeg_binary
from stagedoor.streaming.rtmp.errors import PUBLISH_REJECTED
from stagedoor.streaming.samples import CollectingFrameSampleConsumer, FrameSampleConsumer
from stagedoor.streaming.tests.conftest import DEBIAN_FFMPEG, live_push_args, pid_alive
from stagedoor.streaming.tests.rtmp_client import wait_until
from stagedoor.streaming.transcoder.ladder import LadderPreset

from .test_frames_media import drawn, reference_hash

KEYS = {"sk_ada": "room-ada"}


class Ingest:
    """A real ingest on an ephemeral port, its event loop in a thread; ``consumer`` gets the samples."""

    def __init__(self, media_root: Path, consumer: FrameSampleConsumer, grace_s: float) -> None:
        self.media_root = media_root
        self.states: list[tuple[str, str]] = []
        self.loop = asyncio.new_event_loop()

        async def authorize(app: str, key: str) -> PublishGrant:
            if key not in KEYS:
                raise PublishRefused(PUBLISH_REJECTED, "unknown or revoked stream key")
            return PublishGrant(room=KEYS[key], label=key)

        config = IngestConfig(
            media_root=media_root,
            host="127.0.0.1",
            port=0,
            grace_s=grace_s,
            preset=LadderPreset(thumbnail_every_s=1, sample_every_s=1),
            ffmpeg=ffmpeg_binary(),
        )
        self.server = IngestServer(
            config,
            authorize,
            sample_consumer=consumer,
            on_state_change=lambda room, state: self.states.append((room, state.value)),
        )
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self.server.start())
        self.url = f"rtmp://127.0.0.1:{self.server.port}/live/sk_ada"
        self.pids: list[int] = []

    def call[T](self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def remember_pids(self) -> None:
        stream = self.server.streams.get("room-ada")
        if stream is not None:
            self.pids = sorted(set(self.pids) | set(stream.pids))

    def stop(self) -> None:
        self.call(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
        wait_until(lambda: not any(pid_alive(p) for p in self.pids), 5, "every transcoder to exit")


@pytest.fixture(scope="module")
def detector() -> NudityDetector:
    return NudityDetector()


@pytest.fixture
def collected(tmp_path: Path) -> Iterator[tuple[Ingest, CollectingFrameSampleConsumer]]:
    consumer = CollectingFrameSampleConsumer()
    ingest = Ingest(tmp_path / "media", consumer, grace_s=1)
    try:
        yield ingest, consumer
    finally:
        ingest.stop()


def test_the_detector_runs_on_real_frames_from_a_real_ingest(
    collected: tuple[Ingest, CollectingFrameSampleConsumer], detector: NudityDetector
) -> None:
    ingest, consumer = collected
    push = subprocess.Popen(
        live_push_args(ingest.url, size="1280x720", bitrate="1500k", seconds=8),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: len(consumer.samples) >= 3, 30, "three frame samples")
        ingest.remember_pids()
    finally:
        push.kill()
        push.wait(5)
    sensitive = NudityDetector(min_score=0.001)  # the model's weak guesses too, to check their shape
    analyzer = FrameAnalyzer(detector, HashIndex(), platform=PlatformPolicy(public_stream=PublicStream.NON_NUDE))
    guesses = 0
    for sample in consumer.samples[:3]:
        assert sample.room == "room-ada"
        assert jpeg_size(sample.jpeg) == (854, 480)  # the transcoder's sample height, the source's aspect
        image = decode_jpeg(sample.jpeg).image
        found = sensitive.detect(image)
        guesses += len(found)
        for d in found:
            x, y, w, h = d.box
            assert d.label in NUDENET_LABELS and 0 <= d.score <= 1
            assert x >= 0 and y >= 0 and w >= 0 and h >= 0 and x + w <= 854 and y + h <= 480
        # at the real thresholds a test pattern is nobody: no detection, so no flag in the strictest room
        result = analyzer.analyse(sample.jpeg, RoomPolicy(non_nude=True, restricted_regions=("DE",)), "room-ada")
        assert result.detections == () and result.flags == () and result.matches == ()
        assert result.pdq_quality >= 50
    assert guesses >= 1  # testsrc2 draws a faint BUTTOCKS_EXPOSED guess (score ~0.01)


def test_a_prohibited_list_match_through_a_real_ingest_ends_the_stream(tmp_path: Path) -> None:
    picture = drawn(61)  # the "prohibited" picture: shapes, listed by the hash of its full-size original
    png = tmp_path / "listed.png"
    cv2.imwrite(str(png), picture)
    events: list[tuple[str, object]] = []
    findings: list[FrameFinding] = []
    holder: dict[str, Ingest] = {}

    async def end_stream(room: str, reason: str) -> None:
        events.append(("end", (room, reason)))
        holder["ingest"].remember_pids()
        events.append(("ended", await holder["ingest"].server.end_stream(room, reason)))

    def sink(finding: FrameFinding) -> None:  # a plain function, as a database-backed sink would be
        events.append(("sink", finding.room))
        findings.append(finding)

    scanner = FrameScanner(
        sink=sink,
        end_stream=end_stream,
        trust_lookup=lambda room: None,
        policy_lookup=lambda room: RoomPolicy(),
        hash_lists_loader=lambda: [("industry", "prohibited", reference_hash(picture), "ref-2231")],
    )
    ingest = Ingest(tmp_path / "media", scanner, grace_s=30)  # a long grace: offline only if ended
    holder["ingest"] = ingest
    push = subprocess.Popen(
        [
            *(DEBIAN_FFMPEG, "-hide_banner", "-loglevel", "error", "-re", "-loop", "1", "-framerate", "30"),
            *("-i", str(png), "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "40"),
            *("-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-pix_fmt", "yuv420p", "-b:v", "1500k"),
            *("-c:a", "aac", "-b:a", "64k", "-f", "flv", ingest.url),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: findings, 40, "the scanner's finding")
        assert push.wait(15) != 0  # the server dropped the publisher
        wait_until(lambda: ("room-ada", "offline") in ingest.states, 10, "the room offline")
    finally:
        push.kill()
        push.wait(5)
        ingest.call(scanner.aclose())
        ingest.stop()
    assert events[:3] == [("end", ("room-ada", END_REASON)), ("ended", True), ("sink", "room-ada")]
    finding = findings[0]
    assert finding.stream_ended and finding.severity is Severity.CRITICAL and finding.detector_ran
    [match] = finding.matches
    assert (match.list_name, match.kind, match.ref) == ("industry", ListKind.PROHIBITED, "ref-2231")
    assert match.distance <= 31
    assert (finding.width, finding.height) == (854, 480) and finding.jpeg[:2] == b"\xff\xd8"
    # ended at once: no reconnect grace, nothing left on disk, no transcoder running
    assert ingest.states[0] == ("room-ada", "starting") and ingest.states[-1] == ("room-ada", "offline")
    assert ("room-ada", "reconnecting") not in ingest.states
    assert ingest.server.streams == {} and not (ingest.media_root / "room-ada").exists()
    assert ingest.pids and not any(pid_alive(p) for p in ingest.pids)
