"""Frame samples handed to moderation every N seconds.

The transcoder writes a JPEG into ``<stream>/samples/`` every ``sample_every_s``; the
supervisor hands each one to a :class:`FrameSampleConsumer` and deletes the file.
Moderation (above streaming) registers a factory with :func:`set_sample_consumer_factory` from
its ``AppConfig.ready()``; the ingest asks :func:`configured_sample_consumer` for a consumer
(nothing registered: one that does nothing) and closes it with :func:`close_sample_consumer`.
"""

from __future__ import annotations

from collections.abc import Callable
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


SampleConsumerFactory = Callable[[], FrameSampleConsumer]
_factory: SampleConsumerFactory | None = None


def set_sample_consumer_factory(factory: SampleConsumerFactory | None) -> None:
    global _factory
    _factory = factory


def configured_sample_consumer() -> FrameSampleConsumer:
    return _factory() if _factory is not None else NoopFrameSampleConsumer()


async def close_sample_consumer(consumer: FrameSampleConsumer) -> None:
    """Let a consumer that holds threads or tasks (``aclose``) release them."""
    close = getattr(consumer, "aclose", None)
    if close is not None:
        await close()
