"""ABR ladder presets and the pure planning step that fits a preset to a source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rung:
    name: str
    height: int
    video_kbps: int
    max_fps: float = 30.0

    @property
    def maxrate_kbps(self) -> int:
        return int(self.video_kbps * 1.1)


DEFAULT_RUNGS = (
    Rung("720p", 720, 2500),
    Rung("480p", 480, 1000),
    Rung("240p", 240, 300),
)


@dataclass(frozen=True, slots=True)
class LadderPreset:
    rungs: tuple[Rung, ...] = DEFAULT_RUNGS
    # pass the source through untouched (no decode/encode for the top rung) when it is
    # within limits and its keyframes come often enough to cut short segments
    passthrough: bool = True
    passthrough_max_keyframe_interval_s: float = 1.05
    passthrough_max_kbps: int = 8000
    segment_s: float = 1.0
    list_size: int = 6
    thumbnail_every_s: float = 4.0
    thumbnail_height: int = 360
    # frame samples for moderation (0: none): the fastest scan rate; moderation thins it per room by trust
    sample_every_s: float = 2.0
    sample_height: int = 480
    x264_preset: str = "veryfast"
    encoder: str = "libx264"  # libx264 | nvenc | vaapi | qsv


@dataclass(frozen=True, slots=True)
class SourceInfo:
    width: int
    height: int
    fps: float = 30.0
    keyframe_interval_s: float | None = None
    bitrate_kbps: float = 0.0
    has_audio: bool = True


@dataclass(frozen=True, slots=True)
class PlannedRung:
    name: str
    width: int
    height: int
    copy: bool
    video_kbps: int
    fps: float | None = None  # output frame-rate cap; None keeps the source rate

    @property
    def maxrate_kbps(self) -> int:
        return int(self.video_kbps * 1.1)


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def passthrough_allowed(preset: LadderPreset, source: SourceInfo) -> bool:
    return (
        preset.passthrough
        and source.keyframe_interval_s is not None
        and source.keyframe_interval_s <= preset.passthrough_max_keyframe_interval_s
        and source.bitrate_kbps <= preset.passthrough_max_kbps
    )


def plan_ladder(preset: LadderPreset, source: SourceInfo) -> tuple[PlannedRung, ...]:
    """The rungs to produce for this source, best first. Never upscales."""
    aspect = source.width / source.height
    short_is_height = source.height <= source.width

    def scaled(rung: Rung) -> PlannedRung:
        # the rung's "height" is the short side, so portrait sources keep their shape
        if short_is_height:
            w, h = _even(rung.height * aspect), rung.height
        else:
            w, h = rung.height, _even(rung.height / aspect)
        fps = rung.max_fps if source.fps > rung.max_fps + 0.5 else None
        return PlannedRung(rung.name, w, h, False, rung.video_kbps, fps)

    short_side = min(source.width, source.height)
    if passthrough_allowed(preset, source):
        kbps = int(source.bitrate_kbps) or 2500
        top = PlannedRung("src", source.width, source.height, True, kbps)
        return (top, *(scaled(r) for r in preset.rungs if r.height < short_side))
    lower = tuple(scaled(r) for r in preset.rungs if r.height <= short_side)
    if lower:
        return lower
    # source smaller than every rung: encode one rung at the source size
    smallest = min(preset.rungs, key=lambda r: r.height) if preset.rungs else Rung("src", short_side, 300)
    return (PlannedRung("src", _even(source.width), _even(source.height), False, smallest.video_kbps),)
