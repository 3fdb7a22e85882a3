"""One room's live stream: feeds the transcoder, restarts it, rides out reconnects.

State machine (``StreamState``)::

    starting ──first playlist──▶ live ──publisher drops──▶ reconnecting ──grace over──▶ offline
        ▲                          ▲                          │
        └──────────────────────────┴──── publisher returns ───┘  (same playlist, discontinuity)

- A transcoder generation starts once the stream's first GOP is buffered (second keyframe
  seen, or ``start_max_wait_s`` of media), so the ladder can be planned knowing the
  source's keyframe interval (source passthrough needs short GOPs).
- A crashed ffmpeg is restarted within ``max_restart_delay_s`` (≤ 2 s) while the
  publisher stays connected: the new generation is primed with the sequence headers
  and fed from the next keyframe; ``append_list`` continues the playlist.
- When the publisher drops, ffmpeg is stopped (closing stdin finishes the last
  segment) and the room waits ``grace_s`` for a reconnect before going offline, which
  deletes the room's segments.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import shutil
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from . import health as health_mod
from .flv import FLVWriter, inspect_video
from .health import StreamHealth, TranscoderProgress, compute_health
from .inspector import MediaInspector
from .rtmp.chunks import VIDEO
from .samples import FrameSample, FrameSampleConsumer, NoopFrameSampleConsumer
from .transcoder.command import SAMPLES_DIR, TranscodeJob, build_command
from .transcoder.encoders import encoder_for
from .transcoder.ladder import LadderPreset, PlannedRung, SourceInfo
from .transcoder.playlists import PlaylistPublisher
from .transcoder.process import TranscoderProcess

log = logging.getLogger("stagedoor.streaming.supervisor")


class StreamState(StrEnum):
    STARTING = "starting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"


StateCallback = Callable[[str, StreamState], Awaitable[None] | None]
HealthCallback = Callable[[StreamHealth], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class SupervisorConfig:
    media_root: Path
    ffmpeg: str
    grace_s: float = 15.0
    preset: LadderPreset = field(default_factory=LadderPreset)
    playlist_poll_s: float = 0.05
    sample_poll_s: float = 1.0
    start_max_wait_s: float = 2.2
    max_restart_delay_s: float = 1.0
    stop_timeout_s: float = 3.0


async def _call(callback: Callable[..., Awaitable[None] | None], *args: object) -> None:
    """Run a hook that may be a plain function or a coroutine function."""
    result = callback(*args)
    if inspect.isawaitable(result):
        await result


class StreamSupervisor:
    def __init__(
        self,
        room: str,
        config: SupervisorConfig,
        *,
        preset: LadderPreset | None = None,
        sample_consumer: FrameSampleConsumer | None = None,
        on_state_change: StateCallback | None = None,
        on_health: HealthCallback | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.room = room
        self.config = config
        self.preset = preset or config.preset
        self.output_dir = config.media_root / room
        self.state = StreamState.OFFLINE  # until a publisher attaches
        self.generation = -1
        self.restarts = 0
        self.ladder: tuple[PlannedRung, ...] = ()
        self._sample_consumer = sample_consumer or NoopFrameSampleConsumer()
        self._on_state_change = on_state_change
        self._on_health = on_health
        self._wall_clock = wall_clock
        self._writer: FLVWriter | None = None
        self._inspector: MediaInspector | None = None
        self._publisher: object | None = None
        self._pending: list[bytes] | None = None
        self._pending_keyframes: list[int] = []
        self._start_anchor: datetime | None = None
        self._proc: TranscoderProcess | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._grace_task: asyncio.Task[None] | None = None
        self._restart_task: asyncio.Task[None] | None = None
        self._background: list[asyncio.Task[None]] = []
        self._publisher_pub = PlaylistPublisher(self.output_dir)
        self._live_since: float | None = None
        self._last_progress = TranscoderProgress()
        self._recent_crashes: list[float] = []
        self._closed = False
        self._out: list[bytes] = []  # FLV bytes for the transcoder, written by flush()
        self._out_size = 0
        self.pids: list[int] = []  # every ffmpeg pid this stream started (tests check none survive)

    # ----- publisher side ----------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def has_publisher(self) -> bool:
        return self._publisher is not None

    @property
    def publisher(self) -> object | None:
        """The connection publishing to this room (the ingest's, opaque here), if any."""
        return self._publisher

    @property
    def transcoder_pid(self) -> int | None:
        return self._proc.pid if self._proc and self._proc.returncode is None else None

    async def attach(self, publisher: object, inspector: MediaInspector) -> None:
        """A publisher was authorized for this room (first time or a reconnect)."""
        if self._grace_task is not None:
            self._grace_task.cancel()
            self._grace_task = None
        self._publisher = publisher
        self._inspector = inspector
        self._writer = FLVWriter()
        self._pending = []
        self._pending_keyframes = []
        self._start_anchor = None
        if not self._background:
            self.output_dir.mkdir(parents=True, exist_ok=True)
            self._background = [
                asyncio.create_task(self._poll_playlists(), name=f"playlists-{self.room}"),
                asyncio.create_task(self._poll_samples(), name=f"samples-{self.room}"),
            ]
            health_mod.LIVE_STREAMS.inc()
        if self.state in (StreamState.RECONNECTING, StreamState.OFFLINE):
            await self._set_state(StreamState.STARTING if self._live_since is None else StreamState.LIVE)

    async def metadata(self, metadata: dict[str, Any]) -> None:
        if self._writer is None:
            return
        await self._feed(self._writer.write_metadata(metadata))

    async def media(self, type_id: int, timestamp: int, payload: bytes) -> None:
        writer = self._writer
        if writer is None:
            return
        if type_id == VIDEO:
            was_waiting = writer.waiting_for_keyframe
            info = inspect_video(payload)
            tag = writer.write_video(timestamp, payload, info)
            if tag and was_waiting:
                self._keyframe_resumed()
            if tag and self._pending is not None and info.is_keyframe:
                self._pending_keyframes.append(timestamp)
        else:
            tag = writer.write_audio(timestamp, payload)
        if not tag:
            return
        if self._pending is not None:
            self._pending.append(tag)
            if self._ready_to_start():
                await self._spawn(first=True)
            return
        await self._feed(tag)

    def _keyframe_resumed(self) -> None:
        anchor = self._wall_clock()
        if self._pending is not None:
            self._start_anchor = anchor
        else:
            self._publisher_pub.set_anchor(self.generation, anchor)

    def _ready_to_start(self) -> bool:
        kf = self._pending_keyframes
        if len(kf) >= 2:
            return True
        writer = self._writer
        return (
            bool(kf) and writer is not None and (writer.last_timestamp - kf[0]) / 1000 >= self.config.start_max_wait_s
        )

    async def detach(self, publisher: object) -> None:
        """The publisher went away (unpublished, disconnected, or refused mid-stream)."""
        if self._publisher is not publisher:
            return
        self._publisher = None
        self._writer = None
        self._pending = None
        if self._restart_task is not None:
            self._restart_task.cancel()
            self._restart_task = None
        await self.flush()  # the last messages, then ffmpeg finishes its segment on end-of-file
        proc = self._proc
        if proc is not None:
            await proc.stop(self.config.stop_timeout_s)
        if self._closed:
            return
        await self._set_state(StreamState.RECONNECTING)
        self._grace_task = asyncio.create_task(self._grace(), name=f"grace-{self.room}")

    async def _grace(self) -> None:
        await asyncio.sleep(self.config.grace_s)
        self._grace_task = None
        await self.go_offline()

    async def go_offline(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._publisher = None
        self._writer = None
        for task in (self._grace_task, self._restart_task, *self._background):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._background:
            health_mod.LIVE_STREAMS.dec()
        self._background = []
        if self._proc is not None:
            await self._proc.stop(self.config.stop_timeout_s)
        if self._watcher is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
        shutil.rmtree(self.output_dir, ignore_errors=True)
        health_mod.forget_room(self.room)
        await self._set_state(StreamState.OFFLINE)

    # ----- transcoder --------------------------------------------------------

    def _source_info(self) -> SourceInfo:
        stats = self._inspector.stats if self._inspector else None
        declared = stats.declared if stats else {}
        width = (stats.width if stats else None) or int(declared.get("width") or 1280)
        height = (stats.height if stats else None) or int(declared.get("height") or 720)
        kf = self._pending_keyframes
        interval = (kf[1] - kf[0]) / 1000 if len(kf) >= 2 else (stats.keyframe_interval_s if stats else None)
        fps = (stats.fps if stats and stats.fps else 0) or float(declared.get("framerate") or declared.get("fps") or 30)
        bitrate = sum(v for k in ("videodatarate", "audiodatarate") if isinstance(v := declared.get(k), float))
        if not bitrate and stats:
            bitrate = stats.bitrate_kbps
        writer = self._writer
        has_audio = bool(
            writer and (writer.audio_sequence_header is not None or declared.get("audiocodecid") is not None)
        )
        return SourceInfo(width, height, fps, interval, bitrate, has_audio)

    async def _spawn(self, *, first: bool) -> None:
        writer = self._writer
        if writer is None or self._closed:
            return
        self.generation += 1
        gen = self.generation
        job = TranscodeJob(
            output_dir=self.output_dir,
            source=self._source_info(),
            preset=self.preset,
            generation=gen,
            ffmpeg=self.config.ffmpeg,
            encoder=encoder_for(self.preset.encoder, x264_preset=self.preset.x264_preset),
        )
        self.ladder = job.ladder
        for rung in self.ladder:
            (self.output_dir / rung.name).mkdir(parents=True, exist_ok=True)
        (self.output_dir / SAMPLES_DIR).mkdir(parents=True, exist_ok=True)
        self._out.clear()  # queued for the generation that just ended
        self._out_size = 0
        proc = TranscoderProcess(build_command(job), on_progress=self._progress)
        await proc.start()
        assert proc.pid is not None
        self.pids.append(proc.pid)
        self._proc = proc
        log.info(
            "room %s: transcoder generation %d started (pid %d, rungs %s)",
            self.room,
            gen,
            proc.pid,
            ",".join(r.name for r in self.ladder),
        )
        self._watcher = asyncio.create_task(self._watch(proc), name=f"watch-{self.room}-{gen}")
        if first:
            pending, self._pending = self._pending or [], None
            if self._start_anchor is not None:
                self._publisher_pub.set_anchor(gen, self._start_anchor)
            first_ts = self._pending_keyframes[0] if self._pending_keyframes else 0
            await proc.write(writer.prelude(first_ts) + b"".join(pending))
        else:
            await proc.write(writer.restart())

    async def _feed(self, data: bytes) -> None:
        """Queue FLV bytes for the transcoder; ``flush`` writes them (one write per batch of
        RTMP messages rather than one per message). Large batches go at once."""
        proc = self._proc
        if data and proc is not None and proc.returncode is None:
            self._out.append(data)
            self._out_size += len(data)
            if self._out_size >= 1 << 18:
                await self.flush()

    async def flush(self) -> None:
        if not self._out:
            return
        data = b"".join(self._out)
        self._out.clear()
        self._out_size = 0
        proc = self._proc
        if proc is not None and proc.returncode is None:
            await proc.write(data)

    def _progress(self, progress: TranscoderProgress) -> None:
        self._last_progress = progress

    async def _watch(self, proc: TranscoderProcess) -> None:
        code = await proc.wait()
        if proc is not self._proc or proc.stopping:
            return
        if self._publisher is None or self._closed:
            return  # an orderly stop
        tail = " | ".join(list(proc.stderr_tail)[-3:])
        log.warning("room %s: transcoder pid %s exited with %s while live: %s", self.room, proc.pid, code, tail)
        self.restarts += 1
        health_mod.RESTARTS.labels(self.room).inc()
        now = time.monotonic()
        self._recent_crashes = [t for t in self._recent_crashes if now - t < 60] + [now]
        delay = min(self.config.max_restart_delay_s, 0.1 * (2 ** (len(self._recent_crashes) - 1)) - 0.1)
        self._restart_task = asyncio.create_task(self._restart_after(delay), name=f"restart-{self.room}")

    async def _restart_after(self, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        self._restart_task = None
        if self._publisher is not None and not self._closed:
            await self._spawn(first=False)

    # ----- background loops ---------------------------------------------------

    async def _poll_playlists(self) -> None:
        last_export = 0.0
        while True:
            written = self._publisher_pub.publish_once()
            if written and self.state is StreamState.STARTING and (self.output_dir / "master.m3u8").exists():
                self._live_since = self._live_since or time.monotonic()
                await self._set_state(StreamState.LIVE)
            now = time.monotonic()
            if now - last_export >= 1.0:
                last_export = now
                await self._export_health()
            await asyncio.sleep(self._next_poll_delay(now))

    async def _export_health(self) -> None:
        """Once a second: Prometheus gauges, and the shared health store (``on_health``) that lets
        web nodes without an ingest show the studio's and staff's health panels."""
        health = self.health()
        health_mod.export_health(health)
        if self._on_health is not None:
            try:
                await _call(self._on_health, health)
            except Exception:
                log.warning("room %s: could not share stream health", self.room, exc_info=True)

    def _next_poll_delay(self, now: float) -> float:
        """Poll fast only when a playlist is due: right after every rung was written, nothing will
        change for most of a segment (``playlist_poll_s`` is the latency bound, not the rate)."""
        poll = self.config.playlist_poll_s
        if self.state is not StreamState.LIVE or len(self._publisher_pub.changed_at) < len(self.ladder):
            return poll
        due = self._publisher_pub.next_change_due(self.preset.segment_s)
        return poll if due is None else min(max(due - now, poll), self.preset.segment_s)

    async def _poll_samples(self) -> None:
        folder = self.output_dir / SAMPLES_DIR
        while True:
            await asyncio.sleep(self.config.sample_poll_s)
            try:
                names = sorted(p for p in folder.iterdir() if p.suffix == ".jpg")
            except FileNotFoundError:
                continue
            # ffmpeg writes samples atomically (temp file + rename), so every .jpg is whole
            for path in names:
                try:
                    sample = FrameSample(
                        self.room, datetime.fromtimestamp(path.stat().st_mtime, UTC), path.read_bytes()
                    )
                    path.unlink()
                except FileNotFoundError:
                    continue
                try:
                    await self._sample_consumer.consume(sample)
                except Exception:
                    log.exception("room %s: frame sample consumer failed", self.room)

    # ----- state & health ----------------------------------------------------

    async def _set_state(self, state: StreamState) -> None:
        if state is self.state:
            return
        self.state = state
        log.info("room %s: %s", self.room, state.value)
        if self._on_state_change is not None:
            await _call(self._on_state_change, self.room, state)

    def health(self) -> StreamHealth:
        inspector = self._inspector
        return compute_health(
            room=self.room,
            state=self.state.value,
            uptime_s=time.monotonic() - self._live_since if self._live_since else 0.0,
            stats=inspector.stats if inspector else None,
            warnings=inspector.warnings if inspector else {},
            progress=self._last_progress,
            restarts=self.restarts,
            rungs=[r.name for r in self.ladder],
        )
