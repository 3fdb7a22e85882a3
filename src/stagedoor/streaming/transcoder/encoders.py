"""Encoder strategies: how one ladder rung is scaled and encoded.

``Libx264`` is what runs today. ``Nvenc``, ``Vaapi`` and ``Qsv`` are slots for operators
with hardware: they build the right arguments (and are golden-tested), but no machine
in CI has the hardware to run them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from .ladder import PlannedRung


class EncoderStrategy(Protocol):
    @property
    def name(self) -> str:
        """The strategy's name (``libx264``, ``nvenc``, …)."""
        ...

    def global_args(self) -> list[str]:
        """Arguments before ``-i`` (hardware device setup)."""
        ...

    def scale_filter(self, rung: PlannedRung) -> str:
        """Filter chain taking a software frame to this rung's encoder input."""
        ...

    def video_args(self, index: int, rung: PlannedRung) -> list[str]:
        """Per-output-stream codec arguments for video output ``index``."""
        ...


def _rate_args(index: int, rung: PlannedRung) -> list[str]:
    return [
        f"-b:v:{index}",
        f"{rung.video_kbps}k",
        f"-maxrate:v:{index}",
        f"{rung.maxrate_kbps}k",
        f"-bufsize:v:{index}",
        f"{rung.maxrate_kbps}k",
    ]


def _sw_scale(rung: PlannedRung, pix_fmt: str = "yuv420p") -> str:
    chain = []
    if rung.fps:
        chain.append(f"fps=fps={rung.fps:g}")
    chain.append(f"scale=w={rung.width}:h={rung.height}:flags=bilinear")
    chain.append(f"format={pix_fmt}")
    return ",".join(chain)


@dataclass(frozen=True, slots=True)
class Libx264:
    preset: str = "veryfast"
    threads: int = 0  # 0 = x264 decides
    name: ClassVar[str] = "libx264"

    def global_args(self) -> list[str]:
        return []

    def scale_filter(self, rung: PlannedRung) -> str:
        return _sw_scale(rung)

    def video_args(self, index: int, rung: PlannedRung) -> list[str]:
        args = [
            f"-c:v:{index}",
            "libx264",
            f"-preset:v:{index}",
            self.preset,
            f"-tune:v:{index}",
            "zerolatency",
            f"-profile:v:{index}",
            "high",
            *_rate_args(index, rung),
            # no scene-cut keyframes: every rung must cut its segments at the same instants
            f"-sc_threshold:v:{index}",
            "0",
        ]
        if self.threads:
            args += [f"-threads:v:{index}", str(self.threads)]
        return args


@dataclass(frozen=True, slots=True)
class Nvenc:
    preset: str = "p4"
    name: ClassVar[str] = "nvenc"

    def global_args(self) -> list[str]:
        return []

    def scale_filter(self, rung: PlannedRung) -> str:
        return _sw_scale(rung)  # NVENC takes system-memory frames directly

    def video_args(self, index: int, rung: PlannedRung) -> list[str]:
        return [
            f"-c:v:{index}",
            "h264_nvenc",
            f"-preset:v:{index}",
            self.preset,
            f"-tune:v:{index}",
            "ll",
            f"-rc:v:{index}",
            "cbr",
            f"-profile:v:{index}",
            "high",
            f"-bf:v:{index}",
            "0",
            f"-no-scenecut:v:{index}",
            "1",
            *_rate_args(index, rung),
        ]


@dataclass(frozen=True, slots=True)
class Vaapi:
    device: str = "/dev/dri/renderD128"
    name: ClassVar[str] = "vaapi"

    def global_args(self) -> list[str]:
        return ["-init_hw_device", f"vaapi=va:{self.device}", "-filter_hw_device", "va"]

    def scale_filter(self, rung: PlannedRung) -> str:
        fps = f"fps=fps={rung.fps:g}," if rung.fps else ""
        return f"{fps}format=nv12,hwupload,scale_vaapi=w={rung.width}:h={rung.height}"

    def video_args(self, index: int, rung: PlannedRung) -> list[str]:
        return [
            f"-c:v:{index}",
            "h264_vaapi",
            f"-profile:v:{index}",
            "high",
            f"-rc_mode:v:{index}",
            "CBR",
            f"-bf:v:{index}",
            "0",
            *_rate_args(index, rung),
        ]


@dataclass(frozen=True, slots=True)
class Qsv:
    name: ClassVar[str] = "qsv"

    def global_args(self) -> list[str]:
        return ["-init_hw_device", "qsv=hw", "-filter_hw_device", "hw"]

    def scale_filter(self, rung: PlannedRung) -> str:
        return _sw_scale(rung, "nv12")

    def video_args(self, index: int, rung: PlannedRung) -> list[str]:
        return [
            f"-c:v:{index}",
            "h264_qsv",
            f"-preset:v:{index}",
            "veryfast",
            f"-profile:v:{index}",
            "high",
            f"-look_ahead:v:{index}",
            "0",
            f"-bf:v:{index}",
            "0",
            *_rate_args(index, rung),
        ]


def encoder_for(name: str, *, x264_preset: str = "veryfast") -> EncoderStrategy:
    if name == "libx264":
        return Libx264(preset=x264_preset)
    if name == "nvenc":
        return Nvenc()
    if name == "vaapi":
        return Vaapi()
    if name == "qsv":
        return Qsv()
    raise ValueError(f"unknown encoder {name!r}; choose libx264, nvenc, vaapi or qsv")
