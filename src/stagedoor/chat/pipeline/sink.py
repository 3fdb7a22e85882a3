"""Persistence in batches: the pipeline hands records to a ``MessageSink`` and never waits.

``InMemorySink`` keeps everything in lists (tests, the benchmark). ``BatchingSink``
buffers records and hands them to an async writer in batches of up to ``max_batch``
or every ``max_delay`` seconds, whichever comes first; the Django writer (one
``bulk_create`` per batch) plugs in as that writer. A slow or failing database never
stalls the room: the buffer is bounded and overflow is counted and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, Protocol

log = logging.getLogger(__name__)

STATUS_VISIBLE: Final = "visible"
STATUS_HELD: Final = "held"
STATUS_BLOCKED: Final = "blocked"


@dataclass(frozen=True, slots=True)
class ChatRecord:
    message_id: str
    room: str
    seq: int | None  # None while held or blocked (not in the timeline)
    user_id: str
    login: str
    role: str
    text: str
    ts: int  # ms since the epoch
    status: str = STATUS_VISIBLE
    reason: str = ""
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class DeletionRecord:
    room: str
    message_ids: tuple[str, ...]
    by_user_id: str | None
    ts: int


@dataclass
class SinkStats:
    written: int = 0
    batches: int = 0
    dropped: int = 0
    failed_batches: int = 0


class MessageSink(Protocol):
    def add(self, record: ChatRecord) -> None: ...

    def add_deletion(self, record: DeletionRecord) -> None: ...

    async def flush(self) -> None: ...

    async def close(self) -> None: ...


@dataclass
class InMemorySink:
    records: list[ChatRecord] = field(default_factory=list)
    deletions: list[DeletionRecord] = field(default_factory=list)

    def add(self, record: ChatRecord) -> None:
        self.records.append(record)

    def add_deletion(self, record: DeletionRecord) -> None:
        self.deletions.append(record)

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        return None


BatchWriter = Callable[[list[ChatRecord], list[DeletionRecord]], Awaitable[None]]


class BatchingSink:
    def __init__(
        self,
        writer: BatchWriter,
        *,
        max_batch: int = 500,
        max_delay: float = 0.25,
        max_pending: int = 50_000,
    ) -> None:
        self.writer = writer
        self.max_batch = max_batch
        self.max_delay = max_delay
        self.max_pending = max_pending
        self.stats = SinkStats()
        self._records: list[ChatRecord] = []
        self._deletions: list[DeletionRecord] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._lock = asyncio.Lock()

    def _ensure_task(self) -> None:
        if self._task is None and not self._closing:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="chat-sink")

    def add(self, record: ChatRecord) -> None:
        if len(self._records) >= self.max_pending:
            self.stats.dropped += 1
            return
        self._records.append(record)
        self._ensure_task()
        if len(self._records) >= self.max_batch:
            self._wake.set()

    def add_deletion(self, record: DeletionRecord) -> None:
        self._deletions.append(record)
        self._ensure_task()
        self._wake.set()  # deletions are rare and should land soon

    async def _run(self) -> None:
        while not self._closing:
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.max_delay)
            except TimeoutError:
                pass
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            while self._records or self._deletions:
                batch, self._records = self._records[: self.max_batch], self._records[self.max_batch :]
                dels, self._deletions = self._deletions, []
                try:
                    await self.writer(batch, dels)
                except Exception:  # the writer is outside our control; keep the room alive
                    log.exception("chat sink batch failed (%d records)", len(batch))
                    self.stats.failed_batches += 1
                    self.stats.dropped += len(batch)
                    continue
                self.stats.batches += 1
                self.stats.written += len(batch)

    async def close(self) -> None:
        self._closing = True
        self._wake.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.flush()
