"""Background jobs behind one interface.

`job("name")` registers a function; `enqueue("name", *args)` runs it later:
- `inprocess` (embedded default): a daemon worker thread in this process;
- `celery` (when `STAGEDOOR_REDIS_URL` is set): the generic Celery task `stagedoor.run_job`
  on Redis, picked up by `stagedoor worker`;
- `immediate`: run in the caller's thread (used by tests that need determinism; the
  thread and Celery paths are tested on their own).

Jobs must be idempotent: the outbox sweep may run one twice after a crash.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from stagedoor.core.metrics import JOBS

log = logging.getLogger("stagedoor.jobs")

JobFn = Callable[..., Any]
_REGISTRY: dict[str, JobFn] = {}


def job[F: JobFn](name: str) -> Callable[[F], F]:
    def register(fn: F) -> F:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"job {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn

    return register


def run_job(name: str, *args: Any) -> Any:
    fn = _REGISTRY.get(name)
    if fn is None:
        raise LookupError(f"unknown job {name!r}")
    try:
        result = fn(*args)
    except Exception:
        JOBS.labels(name, "error").inc()
        log.exception("job failed", extra={"job": name})
        raise
    JOBS.labels(name, "ok").inc()
    return result


class _ThreadWorker:
    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def submit(self, name: str, args: tuple[Any, ...]) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._loop, name="stagedoor-jobs", daemon=True)
                self.thread.start()
        self.queue.put((name, args))

    def _loop(self) -> None:
        while True:
            name, args = self.queue.get()
            try:
                close_old_connections()
                run_job(name, *args)
            except Exception:  # noqa: S110 - logged by run_job; the worker thread must survive
                pass
            finally:
                close_old_connections()
                self.queue.task_done()

    def join(self) -> None:
        self.queue.join()


_worker = _ThreadWorker()


def backend() -> str:
    return str(getattr(settings, "STAGEDOOR_JOBS_BACKEND", "inprocess"))


def enqueue(name: str, *args: Any) -> None:
    if name not in _REGISTRY:
        raise LookupError(f"unknown job {name!r}")
    kind = backend()
    if kind == "immediate":
        try:
            run_job(name, *args)
        except Exception:  # noqa: S110 - logged; the outbox sweep retries
            pass
    elif kind == "celery":
        from stagedoor.core.celery import app

        app.send_task("stagedoor.run_job", args=[name, list(args)])
    else:
        _worker.submit(name, args)


def wait_idle() -> None:
    """Block until the in-process worker has run everything queued (for `run` shutdown and tests)."""
    _worker.join()
