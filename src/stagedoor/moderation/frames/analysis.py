"""The synchronous scan of one frame sample: decode once, PDQ + hash lists, detector, room policy.

Two stages, so the scanner can end a stream on a prohibited-list match before spending the
detector's time: :meth:`FrameAnalyzer.hash_stage` (decode, hash, match) and
:meth:`FrameAnalyzer.detect_stage` (detector, policy). Thread-safe; the scanner runs it in its
threads and the benchmark calls it directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .detector import Detection, NudityDetector
from .image import DecodedFrame, decode_jpeg
from .pdq import MIN_QUALITY, HashIndex, HashMatch, ListKind, hash_image
from .policy import FrameFlag, PlatformPolicy, RoomPolicy, evaluate


@dataclass(frozen=True, slots=True)
class HashStage:
    frame: DecodedFrame
    pdq_hex: str
    pdq_quality: int
    matches: tuple[HashMatch, ...]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage

    @property
    def prohibited(self) -> tuple[HashMatch, ...]:
        return tuple(m for m in self.matches if m.kind is ListKind.PROHIBITED)


@dataclass(frozen=True, slots=True)
class FrameAnalysis:
    width: int
    height: int
    pdq_hex: str
    pdq_quality: int
    matches: tuple[HashMatch, ...]
    detections: tuple[Detection, ...]
    flags: tuple[FrameFlag, ...]
    timings: dict[str, float]
    detector_ran: bool = True


class FrameAnalyzer:
    """``index`` may be replaced at any time (a reload swaps the whole object)."""

    def __init__(
        self,
        detector: NudityDetector | None,
        index: HashIndex | None = None,
        *,
        platform: PlatformPolicy | None = None,
        min_quality: int = MIN_QUALITY,
        dihedral: bool = True,
    ) -> None:
        self.detector = detector
        self.index = index or HashIndex()
        self.platform = platform or PlatformPolicy()
        self.min_quality = min_quality
        self.dihedral = dihedral

    def hash_stage(self, jpeg: bytes, room: str = "") -> HashStage:
        """Raises :class:`~stagedoor.moderation.frames.image.UndecodableFrame` for a bad JPEG."""
        t0 = time.perf_counter()
        frame = decode_jpeg(jpeg)
        t1 = time.perf_counter()
        hashed = hash_image(frame.image, dihedral=self.dihedral)
        t2 = time.perf_counter()
        matches: list[HashMatch] = []
        if hashed.quality >= self.min_quality:  # a flat or featureless frame's hash matches too much
            # a performer's own leaked-content list does not flag their own room
            matches = [m for m in self.index.match(hashed) if not (m.owner and m.owner == room)]
        t3 = time.perf_counter()
        timings = {"decode": t1 - t0, "pdq": t2 - t1, "match": t3 - t2}
        return HashStage(frame, hashed.hex, hashed.quality, tuple(matches), timings)

    def detect_stage(self, stage: HashStage, room: RoomPolicy) -> FrameAnalysis:
        frame = stage.frame
        t0 = time.perf_counter()
        detections: list[Detection] = []
        if self.detector is not None:
            scale = frame.scale
            detections = [
                d if scale == 1 else d.scaled(scale, frame.width, frame.height)
                for d in self.detector.detect(frame.image)
            ]
        t1 = time.perf_counter()
        flags = evaluate(detections, room, self.platform)
        t2 = time.perf_counter()
        timings = {**stage.timings, "detector": t1 - t0, "policy": t2 - t1}
        return FrameAnalysis(
            frame.width,
            frame.height,
            stage.pdq_hex,
            stage.pdq_quality,
            stage.matches,
            tuple(detections),
            tuple(flags),
            timings,
            self.detector is not None,
        )

    def analyse(self, jpeg: bytes, room: RoomPolicy, room_name: str = "") -> FrameAnalysis:
        return self.detect_stage(self.hash_stage(jpeg, room_name), room)
