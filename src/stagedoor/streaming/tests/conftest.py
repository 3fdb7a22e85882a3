"""Fixtures for ingest integration tests: a real IngestServer on an ephemeral port,
running its own event loop in a thread so tests can drive it with blocking clients
(Debian's ffmpeg, GStreamer, raw sockets)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponseBase, StreamingHttpResponse

from stagedoor.streaming.health import StreamHealth
from stagedoor.streaming.ingest import IngestConfig, IngestServer, PublishGrant, PublishRefused, ffmpeg_binary
from stagedoor.streaming.rtmp.errors import PUBLISH_REJECTED
from stagedoor.streaming.samples import CollectingFrameSampleConsumer
from stagedoor.streaming.supervisor import StreamSupervisor
from stagedoor.streaming.transcoder.ladder import LadderPreset

from .rtmp_client import wait_until

DEBIAN_FFMPEG = shutil.which("ffmpeg", path="/usr/bin") or "ffmpeg"
FFPROBE = shutil.which("ffprobe", path="/usr/bin") or "ffprobe"


def live_push_args(
    url: str, *, size: str, bitrate: str, seconds: float | None = None, zerolatency: bool = False
) -> list[str]:
    """Debian's ffmpeg as an independent RTMP client: test pattern and tone, H.264/AAC at 30 fps
    in real time with a 1 s keyframe interval (what the studio recommends)."""
    return [
        DEBIAN_FFMPEG,
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        *(["-t", str(seconds)] if seconds is not None else []),
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        *(["-tune", "zerolatency"] if zerolatency else []),
        "-g",
        "30",
        "-pix_fmt",
        "yuv420p",
        "-b:v",
        bitrate,
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-f",
        "flv",
        url,
    ]


KEYS = {"sk_good": "room-good", "sk_other": "room-other", "sk_gst": "room-gst", "sk_raw": "room-raw"}


def streamed_body(response: HttpResponseBase) -> bytes:
    """The whole body of a streaming response (a `FileResponse` from the origin views)."""
    assert isinstance(response, StreamingHttpResponse), response
    return response.getvalue()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes, but asyncio reaps its children promptly
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


class RunningIngest:
    def __init__(self, media_root: Path, grace_s: float, preset: LadderPreset) -> None:
        self.media_root = media_root
        self.loop = asyncio.new_event_loop()
        self.states: list[tuple[str, str]] = []
        self.samples = CollectingFrameSampleConsumer()
        self.supervisors: list[StreamSupervisor] = []
        self.health: list[StreamHealth] = []  # what the ingest shared once a second (health_store's sink in production)

        async def authorize(app: str, key: str) -> PublishGrant:
            room = KEYS.get(key)
            if room is None:
                raise PublishRefused(PUBLISH_REJECTED, "unknown or revoked stream key")
            return PublishGrant(room=room, label=key)

        self.server = IngestServer(
            IngestConfig(
                media_root=media_root,
                host="127.0.0.1",
                port=0,
                grace_s=grace_s,
                preset=preset,
                ffmpeg=ffmpeg_binary(),
                handshake_timeout_s=5,
            ),
            authorize,
            sample_consumer=self.samples,
            on_state_change=lambda room, state: self.states.append((room, state.value)),
            on_health=self.health.append,
        )
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self.server.start())
        assert self.server.port is not None
        self.port: int = self.server.port

    def call[T](self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def url(self, key: str) -> str:
        return f"rtmp://127.0.0.1:{self.port}/live/{key}"

    def stream(self, room: str) -> StreamSupervisor | None:
        return self.server.streams.get(room)

    def all_pids(self) -> list[int]:
        return [pid for s in self.supervisors for pid in s.pids]

    def stop(self) -> None:
        self.call(self.server.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def ingest(tmp_path: Path) -> Iterator[RunningIngest]:
    preset = LadderPreset(thumbnail_every_s=1, sample_every_s=2)
    running = RunningIngest(tmp_path / "media", grace_s=1.5, preset=preset)
    supervisors = running.supervisors

    class Tracking(dict[str, StreamSupervisor]):  # remember every supervisor, even those that went offline
        def __setitem__(self, key: str, value: StreamSupervisor) -> None:
            super().__setitem__(key, value)
            supervisors.append(value)

    running.server.streams = Tracking()
    try:
        yield running
    finally:
        running.stop()
        pids = [pid for s in supervisors for pid in s.pids]
        wait_until(lambda: not any(pid_alive(p) for p in pids), 5, "every ffmpeg to exit after shutdown")


@pytest.fixture(scope="session")
def small_flv(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """6 s of 640x360 15 fps H.264 (1 s GOP) + AAC, made by Debian's ffmpeg."""
    path = tmp_path_factory.mktemp("media") / "small.flv"
    subprocess.run(
        [
            DEBIAN_FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=640x360:rate=15",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=44100",
            "-t",
            "6",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-g",
            "15",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-f",
            "flv",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path.read_bytes()
