"""Frame samples handed to moderation every N seconds.

The transcoder writes a JPEG into ``<stream>/samples/`` every ``sample_every_s``; the
supervisor hands each one to a :class:`FrameSampleConsumer` and deletes the file.
Moderation plugs its classifier in here later; for now the consumer does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FrameSample:
    room: str
    captured_at: datetime
    jpeg: bytes


class FrameSampleConsumer(Protocol):
    async def consume(self, sample: FrameSample) -> None: ...


class NoopFrameSampleConsumer:
    async def consume(self, sample: FrameSample) -> None:
        return None


class CollectingFrameSampleConsumer:
    """Keeps what it is given (tests, and a place to look when wiring moderation)."""

    def __init__(self) -> None:
        self.samples: list[FrameSample] = []

    async def consume(self, sample: FrameSample) -> None:
        self.samples.append(sample)
