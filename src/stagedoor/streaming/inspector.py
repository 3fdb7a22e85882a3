"""Watches an incoming stream's media: enforces limits and measures what health needs.

Pure and clock-free: everything is computed from the media timestamps the encoder
sends, so the numbers are the same in a test as on the wire. ``MediaInspector.observe_*``
return a :class:`MediaViolation` when the stream must be refused (the ingest then sends
``NetStream.Publish.Rejected`` and closes), and collect softer problems as warnings.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import avc
from .flv import SOUND_FORMAT_AAC, VIDEO_CODEC_AVC, VideoTagInfo, inspect_audio, inspect_video

VIDEO_CODEC_NAMES = {
    2: "Sorenson H.263",
    3: "Screen video",
    4: "VP6",
    5: "VP6 alpha",
    6: "Screen video 2",
    7: "H.264",
    12: "HEVC",
}
SOUND_FORMAT_NAMES = {
    0: "PCM",
    1: "ADPCM",
    2: "MP3",
    3: "PCM LE",
    4: "Nellymoser 16k",
    5: "Nellymoser 8k",
    6: "Nellymoser",
    7: "G.711 A-law",
    8: "G.711 mu-law",
    10: "AAC",
    11: "Speex",
    14: "MP3 8k",
}

# warning codes (stable; the studio page maps them to help text)
WARN_KEYFRAME_INTERVAL = "keyframe_interval_too_long"
WARN_BITRATE_OVER_CAP = "bitrate_over_cap"
WARN_UNSUPPORTED_CODEC = "unsupported_codec"
WARN_LOW_FPS = "low_frame_rate"
WARN_ENCODER_SLOW = "transcoder_slow"

# violation codes
VIOLATION_VIDEO_CODEC = "unsupported_video_codec"
VIOLATION_AUDIO_CODEC = "unsupported_audio_codec"
VIOLATION_RESOLUTION = "resolution_too_high"
VIOLATION_BITRATE = "bitrate_too_high"
VIOLATION_BAD_SEQUENCE_HEADER = "bad_sequence_header"


@dataclass(frozen=True, slots=True)
class MediaLimits:
    max_bitrate_kbps: int = 8000  # audio + video
    # long side / short side, so portrait phone streams (1080x1920) are fine too
    max_long_side: int = 1920
    max_short_side: int = 1080
    max_fps: float = 60.0
    # measured bitrate over cap * hard_factor, averaged over window_s, refuses the stream;
    # over the cap alone it is a warning (encoders overshoot briefly on scene changes)
    hard_factor: float = 1.5
    window_s: float = 5.0
    max_keyframe_interval_s: float = 2.0


@dataclass(frozen=True, slots=True)
class MediaViolation:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Warning_:
    code: str
    message: str


@dataclass
class MediaStats:
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None  # RFC 6381, e.g. avc1.64001f
    audio_codec: str | None = None
    bitrate_kbps: float = 0.0
    fps: float = 0.0
    keyframe_interval_s: float | None = None
    video_frames: int = 0
    audio_frames: int = 0
    bytes_total: int = 0
    media_duration_s: float = 0.0
    declared: dict[str, Any] = field(default_factory=dict)


def _codec_name(table: dict[int, str], value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return table.get(int(value), f"codec id {int(value)}")
    return str(value)


class MediaInspector:
    def __init__(self, limits: MediaLimits | None = None) -> None:
        self.limits = limits or MediaLimits()
        self.stats = MediaStats()
        self.warnings: dict[str, Warning_] = {}
        self._window: deque[tuple[int, int]] = deque()  # (ts_ms, bytes)
        self._window_bytes = 0
        self._frame_ts: deque[int] = deque()
        self._last_keyframe_ts: int | None = None
        self._first_ts: int | None = None
        self._last_ts = 0
        self._over_cap_since: int | None = None
        self._max_keyframe_interval_s = 0.0

    # ----- metadata --------------------------------------------------------

    def observe_metadata(self, metadata: dict[str, Any]) -> MediaViolation | None:
        self.stats.declared = dict(metadata)
        vcodec = metadata.get("videocodecid")
        if vcodec is not None and vcodec not in (7.0, "avc1"):
            return MediaViolation(
                VIOLATION_VIDEO_CODEC,
                f"video codec {_codec_name(VIDEO_CODEC_NAMES, vcodec)} is not supported; "
                "set the encoder to H.264 (x264)",
            )
        acodec = metadata.get("audiocodecid")
        if acodec is not None and acodec not in (10.0, "mp4a"):
            return MediaViolation(
                VIOLATION_AUDIO_CODEC,
                f"audio codec {_codec_name(SOUND_FORMAT_NAMES, acodec)} is not supported; set the audio encoder to AAC",
            )
        width, height = metadata.get("width"), metadata.get("height")
        if isinstance(width, float) and isinstance(height, float):
            violation = self._check_resolution(int(width), int(height))
            if violation:
                return violation
        declared = sum(v for k in ("videodatarate", "audiodatarate") if isinstance(v := metadata.get(k), float))
        if declared > self.limits.max_bitrate_kbps * self.limits.hard_factor:
            return MediaViolation(
                VIOLATION_BITRATE,
                f"declared bitrate {declared:.0f} kbps is over the {self.limits.max_bitrate_kbps} kbps cap; "
                "lower the encoder bitrate",
            )
        if declared > self.limits.max_bitrate_kbps:
            self._warn(
                WARN_BITRATE_OVER_CAP,
                f"Your bitrate ({declared:.0f} kbps) is over the {self.limits.max_bitrate_kbps} kbps cap. "
                "Lower it in your encoder's output settings.",
            )
        return None

    def _check_resolution(self, width: int, height: int) -> MediaViolation | None:
        long_side, short_side = max(width, height), min(width, height)
        if long_side > self.limits.max_long_side or short_side > self.limits.max_short_side:
            return MediaViolation(
                VIOLATION_RESOLUTION,
                f"resolution {width}x{height} is over the {self.limits.max_long_side}x{self.limits.max_short_side} "
                "limit; lower the output resolution",
            )
        return None

    # ----- media -----------------------------------------------------------

    def observe_video(self, timestamp: int, payload: bytes, info: VideoTagInfo | None = None) -> MediaViolation | None:
        info = info or inspect_video(payload)
        if info.is_enhanced or info.codec_id != VIDEO_CODEC_AVC:
            name = (
                info.fourcc if info.is_enhanced else VIDEO_CODEC_NAMES.get(info.codec_id, f"codec id {info.codec_id}")
            )
            self._warn(WARN_UNSUPPORTED_CODEC, f"Video codec {name} is not supported. Use H.264.")
            return MediaViolation(
                VIOLATION_VIDEO_CODEC, f"video codec {name} is not supported; set the encoder to H.264 (x264)"
            )
        if info.is_sequence_header:
            try:
                config = avc.parse_avc_decoder_config(payload[5:])
            except ValueError as exc:
                return MediaViolation(VIOLATION_BAD_SEQUENCE_HEADER, f"unreadable H.264 sequence header: {exc}")
            self.stats.width, self.stats.height = config.sps.width, config.sps.height
            self.stats.video_codec = config.sps.codec_string
            return self._check_resolution(config.sps.width, config.sps.height)
        if len(payload) > 1 and payload[1] != 1:
            return None  # end of sequence
        self.stats.video_frames += 1
        self._frame_ts.append(timestamp)
        while self._frame_ts and timestamp - self._frame_ts[0] > self.limits.window_s * 1000:
            self._frame_ts.popleft()
        if len(self._frame_ts) >= 2:
            span = (self._frame_ts[-1] - self._frame_ts[0]) / 1000
            if span > 0:
                self.stats.fps = (len(self._frame_ts) - 1) / span
        if info.is_keyframe:
            if self._last_keyframe_ts is not None:
                interval = (timestamp - self._last_keyframe_ts) / 1000
                if interval > 0:
                    self.stats.keyframe_interval_s = interval
                    if interval > self.limits.max_keyframe_interval_s + 0.05:
                        self._warn(
                            WARN_KEYFRAME_INTERVAL,
                            f"Keyframes arrive every {interval:.1f} s. Set the keyframe interval to 1 or 2 s "
                            "(OBS: Settings → Output → Keyframe Interval) or viewers wait longer to start watching.",
                        )
                    else:
                        self.warnings.pop(WARN_KEYFRAME_INTERVAL, None)
            self._last_keyframe_ts = timestamp
        return self._account(timestamp, len(payload))

    def observe_audio(self, timestamp: int, payload: bytes) -> MediaViolation | None:
        info = inspect_audio(payload)
        if info.sound_format != SOUND_FORMAT_AAC:
            name = SOUND_FORMAT_NAMES.get(info.sound_format, f"format {info.sound_format}")
            self._warn(WARN_UNSUPPORTED_CODEC, f"Audio codec {name} is not supported. Use AAC.")
            return MediaViolation(
                VIOLATION_AUDIO_CODEC, f"audio codec {name} is not supported; set the audio encoder to AAC"
            )
        if info.is_sequence_header:
            self.stats.audio_codec = "mp4a.40.2"
            return None
        self.stats.audio_frames += 1
        return self._account(timestamp, len(payload))

    def _account(self, timestamp: int, size: int) -> MediaViolation | None:
        limits = self.limits
        if self._first_ts is None:
            self._first_ts = timestamp
        self._last_ts = max(self._last_ts, timestamp)
        self.stats.media_duration_s = (self._last_ts - self._first_ts) / 1000
        self.stats.bytes_total += size
        self._window.append((timestamp, size))
        self._window_bytes += size
        horizon = limits.window_s * 1000
        while self._window and timestamp - self._window[0][0] > horizon:
            self._window_bytes -= self._window.popleft()[1]
        span_ms = timestamp - self._window[0][0]
        if span_ms < horizon * 0.8:
            return None  # not enough history for a fair average yet
        kbps = self._window_bytes * 8 / span_ms
        self.stats.bitrate_kbps = kbps
        cap = limits.max_bitrate_kbps
        if kbps > cap * limits.hard_factor:
            return MediaViolation(
                VIOLATION_BITRATE,
                f"measured bitrate {kbps:.0f} kbps is far over the {cap} kbps cap; lower the encoder bitrate",
            )
        if kbps > cap:
            self._warn(
                WARN_BITRATE_OVER_CAP,
                f"Your bitrate ({kbps:.0f} kbps) is over the {cap} kbps cap. "
                "Lower it in your encoder's output settings.",
            )
        else:
            self.warnings.pop(WARN_BITRATE_OVER_CAP, None)
        return None

    def _warn(self, code: str, message: str) -> None:
        self.warnings[code] = Warning_(code, message)
