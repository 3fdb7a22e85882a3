"""The ingest's frame-sample consumer: sampling, a bounded queue, scans in threads, findings out.

``consume`` runs on the ingest's event loop and returns at once: it asks the sampler whether the
room's sample is due and queues it. Under overload the queue drops its *oldest* sample (newer
frames say more about a live stream) and counts it; memory never grows past ``queue_size``
samples. Worker tasks run each scan in a thread pool (``workers`` threads, one onnxruntime thread
each), so the event loop never waits on a decode or the detector.

A match on a ``prohibited`` list calls ``end_stream(room, reason)`` as soon as the hash stage
finds it, before the detector runs and before the finding reaches the sink. Every finding (a
policy flag or a hash-list match) goes to ``sink(finding)``; the Django side opens review cases
there.

The injected callables may be plain functions (run in a worker thread: they may touch the
database) or coroutine functions (awaited on the loop). Trust and room policies are cached for
``lookup_ttl_s``; trust is refreshed in the background (a room whose trust is not known yet is
scanned on every sample), a policy is fetched before the scan that needs it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from stagedoor.streaming.samples import FrameSample

from . import metrics
from .analysis import FrameAnalysis, FrameAnalyzer, HashStage
from .detector import Detection, DetectorModelError, NudityDetector
from .image import UndecodableFrame
from .pdq import DEFAULT_MAX_DISTANCE, MIN_QUALITY, HashEntry, HashFormatError, HashIndex, HashMatch
from .policy import FrameFlag, PlatformPolicy, RoomPolicy, Severity, worst_severity
from .sampling import AdaptiveSampler, SamplingPolicy, TrustInfo

log = logging.getLogger("stagedoor.moderation.frames")

END_REASON = "ended by trust & safety: the stream matched a prohibited-content list"

type MaybeAwaitable[T] = Awaitable[T] | T
Sink = Callable[["FrameFinding"], MaybeAwaitable[None]]
EndStream = Callable[[str, str], MaybeAwaitable[object]]
TrustLookup = Callable[[str], MaybeAwaitable[TrustInfo | None]]
PolicyLookup = Callable[[str], MaybeAwaitable[RoomPolicy | None]]
HashListsLoader = Callable[[], MaybeAwaitable[Iterable[HashEntry | tuple[str, ...]]]]


@dataclass(frozen=True, slots=True)
class FrameFinding:
    room: str
    captured_at: datetime
    jpeg: bytes
    width: int
    height: int
    detections: tuple[Detection, ...]
    flags: tuple[FrameFlag, ...]
    matches: tuple[HashMatch, ...]
    pdq_hex: str
    pdq_quality: int
    stream_ended: bool = False  # a prohibited-list match ended the stream before this was reported
    detector_ran: bool = True

    @property
    def severity(self) -> Severity:
        worst = worst_severity(self.flags, self.matches)
        assert worst is not None, "a finding has at least one flag or match"
        return worst


@dataclass(frozen=True)
class ScannerSettings:
    model_path: str = ""  # "": NudeNet's 320n.onnx from the nudenet wheel
    max_distance: int = DEFAULT_MAX_DISTANCE
    min_quality: int = MIN_QUALITY
    dihedral: bool = True
    queue_size: int = 32
    workers: int = 1
    sampling: SamplingPolicy = field(default_factory=SamplingPolicy)
    platform: PlatformPolicy = field(default_factory=PlatformPolicy)
    lookup_ttl_s: float = 60.0
    hash_reload_s: float = 300.0
    idle_forget_s: float = 900.0  # forget a room's sampling state after this long without a sample


@dataclass
class ScanStats:
    received: int = 0
    skipped: int = 0  # not due (adaptive sampling)
    dropped: int = 0  # overload: the oldest queued sample made room
    scanned: int = 0
    undecodable: int = 0
    failed: int = 0
    after_end: int = 0  # queued before its stream was ended
    findings: int = 0
    streams_ended: int = 0


async def _call(fn: Callable[..., Any], *args: object) -> Any:
    if inspect.iscoroutinefunction(fn):
        return await fn(*args)
    result = await asyncio.to_thread(fn, *args)
    if inspect.isawaitable(result):
        return await result
    return result


class FrameScanner:
    def __init__(
        self,
        *,
        sink: Sink,
        end_stream: EndStream,
        trust_lookup: TrustLookup,
        policy_lookup: PolicyLookup,
        hash_lists_loader: HashListsLoader,
        settings: ScannerSettings | None = None,
        detector: NudityDetector | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ScannerSettings()
        self.stats = ScanStats()
        self.sampler = AdaptiveSampler(self.settings.sampling)
        self._sink = sink
        self._end_stream = end_stream
        self._trust_lookup = trust_lookup
        self._policy_lookup = policy_lookup
        self._hash_lists_loader = hash_lists_loader
        self._clock = clock
        self.analyzer = FrameAnalyzer(
            detector,
            platform=self.settings.platform,
            min_quality=self.settings.min_quality,
            dihedral=self.settings.dihedral,
        )
        self._queue: asyncio.Queue[FrameSample] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._trust_fetched: dict[str, float] = {}
        self._trust_pending: set[str] = set()
        self._policies: dict[str, tuple[float, RoomPolicy]] = {}
        self._ended: dict[str, datetime] = {}
        self._closed = False

    # ----- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker tasks on the running loop (``consume`` does this on first use)."""
        if self._queue is not None or self._closed:
            return
        self._queue = asyncio.Queue(self.settings.queue_size)
        self._executor = ThreadPoolExecutor(self.settings.workers, thread_name_prefix="frame-scan")
        self._tasks = [asyncio.create_task(self._boot(), name="frame-scan-boot")]
        self._tasks += [asyncio.create_task(self._work(), name=f"frame-scan-{i}") for i in range(self.settings.workers)]

    async def wait_ready(self) -> None:
        """Until the detector and the first hash lists are loaded (tests; the scan waits on its own)."""
        self.start()
        await self._ready.wait()

    async def aclose(self) -> None:
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        metrics.QUEUE.set(0)

    async def _boot(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            if self.analyzer.detector is None:
                try:
                    self.analyzer.detector = await loop.run_in_executor(
                        self._executor, lambda: NudityDetector(self.settings.model_path or None)
                    )
                except DetectorModelError:
                    # hash lists still protect the platform; say so loudly, once
                    log.exception("nudity detector unavailable: frames are matched against hash lists only")
            await self.reload_hashes()
        finally:
            self._ready.set()
        await self._housekeeping()

    async def _housekeeping(self) -> None:
        period = min(self.settings.hash_reload_s, self.settings.idle_forget_s)
        last_reload = self._clock()
        while True:
            await asyncio.sleep(max(period, 1.0))
            if self._clock() - last_reload >= self.settings.hash_reload_s:
                last_reload = self._clock()
                await self.reload_hashes()
            self.prune()

    async def reload_hashes(self) -> bool:
        """Load the hash lists again; on failure keep the ones loaded before."""
        loop = asyncio.get_running_loop()
        distance = self.settings.max_distance
        try:
            rows = await _call(self._hash_lists_loader)
            index = await loop.run_in_executor(self._executor, lambda: HashIndex(rows, max_distance=distance))
        except HashFormatError as exc:
            kept = len(self.analyzer.index)
            log.error("hash lists not reloaded: %s (%s); keeping %d hashes", exc.message, exc.extra, kept)
            return False
        except Exception:
            log.exception("hash lists not reloaded; keeping %d hashes", len(self.analyzer.index))
            return False
        self.analyzer.index = index
        for kind, count in index.counts().items():
            metrics.HASHES_LISTED.labels(kind).set(count)
        return True

    def forget(self, room: str) -> None:
        self.sampler.forget(room)
        self._trust_fetched.pop(room, None)
        self._policies.pop(room, None)

    def prune(self) -> None:
        now = datetime.now(UTC)
        for room in self.sampler.prune(now, timedelta(seconds=self.settings.idle_forget_s)):
            self.forget(room)
        cutoff = now - timedelta(seconds=self.settings.idle_forget_s)
        self._ended = {room: at for room, at in self._ended.items() if at > cutoff}

    # ----- the ingest side ------------------------------------------------------------------

    async def consume(self, sample: FrameSample) -> None:
        self.start()
        queue = self._queue
        if queue is None or self._closed:
            return
        self.stats.received += 1
        self._refresh_trust(sample.room)
        if not self.sampler.should_scan(sample.room, sample.captured_at):
            self.stats.skipped += 1
            metrics.SAMPLES.labels("skipped").inc()
            return
        if queue.full():
            queue.get_nowait()
            queue.task_done()
            self.stats.dropped += 1
            metrics.SAMPLES.labels("dropped").inc()
        queue.put_nowait(sample)
        metrics.QUEUE.set(queue.qsize())

    def _refresh_trust(self, room: str) -> None:
        fetched = self._trust_fetched.get(room)
        fresh = fetched is not None and self._clock() - fetched < self.settings.lookup_ttl_s
        if fresh or room in self._trust_pending:
            return
        self._trust_pending.add(room)
        task = asyncio.create_task(self._fetch_trust(room), name=f"frame-trust-{room}")
        self._tasks.append(task)
        task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    async def _fetch_trust(self, room: str) -> None:
        try:
            info = await _call(self._trust_lookup, room)
        except Exception:
            log.exception("room %s: trust lookup failed; scanning every sample", room)
            info = None
        finally:
            self._trust_pending.discard(room)
        self._trust_fetched[room] = self._clock()
        self.sampler.set_trust(room, info)

    async def _room_policy(self, room: str) -> RoomPolicy:
        cached = self._policies.get(room)
        if cached is not None and self._clock() - cached[0] < self.settings.lookup_ttl_s:
            return cached[1]
        try:
            policy = await _call(self._policy_lookup, room) or RoomPolicy()
        except Exception:
            log.exception("room %s: policy lookup failed; using the last known one", room)
            return cached[1] if cached is not None else RoomPolicy()
        self._policies[room] = (self._clock(), policy)
        return policy

    # ----- scanning -------------------------------------------------------------------------

    async def _work(self) -> None:
        queue = self._queue
        assert queue is not None
        await self._ready.wait()
        while True:
            sample = await queue.get()
            metrics.QUEUE.set(queue.qsize())
            try:
                await self._scan(sample)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.stats.failed += 1
                metrics.SAMPLES.labels("failed").inc()
                log.exception("room %s: frame scan failed", sample.room)
            finally:
                queue.task_done()

    async def _scan(self, sample: FrameSample) -> None:
        room = sample.room
        ended_at = self._ended.get(room)
        if ended_at is not None and sample.captured_at <= ended_at:
            self.stats.after_end += 1
            metrics.SAMPLES.labels("after_end").inc()
            return
        loop = asyncio.get_running_loop()
        try:
            stage: HashStage = await loop.run_in_executor(self._executor, self.analyzer.hash_stage, sample.jpeg, room)
        except UndecodableFrame as exc:
            self.stats.undecodable += 1
            metrics.SAMPLES.labels("undecodable").inc()
            log.warning("room %s: undecodable frame sample: %s", room, exc)
            return
        ended = False
        if stage.prohibited:
            ended = await self._end(room, sample.captured_at, stage.prohibited)
        policy = await self._room_policy(room)
        analysis: FrameAnalysis = await loop.run_in_executor(self._executor, self.analyzer.detect_stage, stage, policy)
        self.stats.scanned += 1
        metrics.SAMPLES.labels("scanned").inc()
        for stage_name, seconds in analysis.timings.items():
            metrics.SCAN_SECONDS.labels(stage_name).observe(seconds)
        if not analysis.flags and not analysis.matches:
            return
        for flag in analysis.flags:
            metrics.FLAGS.labels(flag.category.value).inc()
        for match in analysis.matches:
            metrics.HASH_MATCHES.labels(match.kind.value).inc()
        self.sampler.note_flag(room, sample.captured_at)
        finding = FrameFinding(
            room=room,
            captured_at=sample.captured_at,
            jpeg=sample.jpeg,
            width=analysis.width,
            height=analysis.height,
            detections=analysis.detections,
            flags=analysis.flags,
            matches=analysis.matches,
            pdq_hex=analysis.pdq_hex,
            pdq_quality=analysis.pdq_quality,
            stream_ended=ended,
            detector_ran=analysis.detector_ran,
        )
        self.stats.findings += 1
        await _call(self._sink, finding)

    async def _end(self, room: str, captured_at: datetime, matches: tuple[HashMatch, ...]) -> bool:
        self._ended[room] = captured_at
        first = matches[0]
        log.warning(
            "room %s: frame matched prohibited list %r (ref %r, distance %d): ending the stream",
            room,
            first.list_name,
            first.ref,
            first.distance,
        )
        try:
            await _call(self._end_stream, room, END_REASON)
        except Exception:
            log.exception("room %s: could not end the stream", room)
            return False
        self.stats.streams_ended += 1
        metrics.STREAMS_ENDED.inc()
        return True
