"""Stream health: what the performer's studio page, staff and Prometheus see.

Numbers come from the media itself (``MediaInspector``: input bitrate, fps, keyframe
interval) and from ffmpeg's ``-progress`` output (encoder speed, dropped frames).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from prometheus_client import Counter, Gauge

from .inspector import WARN_ENCODER_SLOW, MediaStats, Warning_


@dataclass
class TranscoderProgress:
    """One ``-progress`` block from ffmpeg."""

    frame: int = 0
    fps: float = 0.0
    speed: float = 0.0
    drop_frames: int = 0
    dup_frames: int = 0
    out_time_s: float = 0.0
    ended: bool = False


class ProgressParser:
    """Sans-I/O parser for ffmpeg ``-progress`` output (``key=value`` lines)."""

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}
        self.latest = TranscoderProgress()
        self.blocks = 0

    def feed_line(self, line: str) -> TranscoderProgress | None:
        key, sep, value = line.strip().partition("=")
        if not sep:
            return None
        self._pending[key] = value
        if key != "progress":
            return None
        p = self._pending
        self._pending = {}

        def num(name: str, default: float = 0.0) -> float:
            raw = p.get(name, "").strip().rstrip("x")
            try:
                return float(raw)
            except ValueError:
                return default

        out_us = num("out_time_us", -1)
        self.latest = TranscoderProgress(
            frame=int(num("frame")),
            fps=num("fps"),
            speed=num("speed"),
            drop_frames=int(num("drop_frames")),
            dup_frames=int(num("dup_frames")),
            out_time_s=out_us / 1e6 if out_us >= 0 else 0.0,
            ended=value == "end",
        )
        self.blocks += 1
        return self.latest


@dataclass
class StreamHealth:
    room: str
    state: str
    uptime_s: float
    input_bitrate_kbps: float
    fps: float
    keyframe_interval_s: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    dropped_frames: int
    encoder_speed: float
    transcoder_restarts: int
    rungs: list[str] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compute_health(
    *,
    room: str,
    state: str,
    uptime_s: float,
    stats: MediaStats | None,
    warnings: dict[str, Warning_],
    progress: TranscoderProgress,
    restarts: int,
    rungs: list[str],
) -> StreamHealth:
    warns = dict(warnings)
    # speed < 0.95 for a live input means the transcoder falls behind and viewers stall
    if progress.speed and progress.speed < 0.95 and progress.out_time_s > 10:
        warns[WARN_ENCODER_SLOW] = Warning_(
            WARN_ENCODER_SLOW,
            f"The server transcodes your stream at {progress.speed:.2f}x real time; viewers may buffer. "
            "Lower your output resolution or frame rate.",
        )
    s = stats or MediaStats()
    return StreamHealth(
        room=room,
        state=state,
        uptime_s=round(uptime_s, 1),
        input_bitrate_kbps=round(s.bitrate_kbps, 1),
        fps=round(s.fps, 2),
        keyframe_interval_s=round(s.keyframe_interval_s, 3) if s.keyframe_interval_s is not None else None,
        width=s.width,
        height=s.height,
        video_codec=s.video_codec,
        audio_codec=s.audio_codec,
        dropped_frames=progress.drop_frames,
        encoder_speed=progress.speed,
        transcoder_restarts=restarts,
        rungs=rungs,
        warnings=[{"code": w.code, "message": w.message} for w in warns.values()],
    )


# ----- Prometheus -------------------------------------------------------------

LIVE_STREAMS = Gauge("stagedoor_streams_live", "Streams with a publisher or in their reconnect grace period")
INPUT_BITRATE = Gauge("stagedoor_stream_input_bitrate_kbps", "Measured input bitrate", ["room"])
INPUT_FPS = Gauge("stagedoor_stream_input_fps", "Measured input frame rate", ["room"])
KEYFRAME_INTERVAL = Gauge("stagedoor_stream_keyframe_interval_seconds", "Last input keyframe interval", ["room"])
DROPPED_FRAMES = Gauge("stagedoor_stream_dropped_frames", "Frames the transcoder dropped (current process)", ["room"])
ENCODER_SPEED = Gauge("stagedoor_stream_encoder_speed", "Transcoder speed relative to real time", ["room"])
UPTIME = Gauge("stagedoor_stream_uptime_seconds", "Seconds since the stream went live", ["room"])
WARNINGS = Gauge("stagedoor_stream_warnings", "Active health warnings", ["room", "code"])
RESTARTS = Counter("stagedoor_transcoder_restarts", "Transcoder restarts after a crash", ["room"])
PUBLISH_REFUSED = Counter("stagedoor_ingest_publish_refused", "Refused publish attempts", ["code"])
PROTOCOL_ERRORS = Counter("stagedoor_ingest_protocol_errors", "Connections closed for a protocol error", ["code"])

_PER_ROOM = (INPUT_BITRATE, INPUT_FPS, KEYFRAME_INTERVAL, DROPPED_FRAMES, ENCODER_SPEED, UPTIME)
_warning_labels: dict[str, set[str]] = {}


def export_health(health: StreamHealth) -> None:
    room = health.room
    INPUT_BITRATE.labels(room).set(health.input_bitrate_kbps)
    INPUT_FPS.labels(room).set(health.fps)
    KEYFRAME_INTERVAL.labels(room).set(health.keyframe_interval_s or 0)
    DROPPED_FRAMES.labels(room).set(health.dropped_frames)
    ENCODER_SPEED.labels(room).set(health.encoder_speed)
    UPTIME.labels(room).set(health.uptime_s)
    active = {w["code"] for w in health.warnings}
    for code in _warning_labels.get(room, set()) - active:
        WARNINGS.remove(room, code)
    for code in active:
        WARNINGS.labels(room, code).set(1)
    _warning_labels[room] = active


def forget_room(room: str) -> None:
    for gauge in _PER_ROOM:
        try:
            gauge.remove(room)
        except KeyError:
            pass
    for code in _warning_labels.pop(room, set()):
        try:
            WARNINGS.remove(room, code)
        except KeyError:
            pass
