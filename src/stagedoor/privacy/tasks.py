"""Privacy's jobs: build an export, run due erasures (every few minutes), the daily retention pass.

Embedded: `privacy_service`, an async service of `stagedoor run`. Production: Celery beat runs `privacy.due` and
`privacy.retention` (settings.CELERY_BEAT_SCHEDULE). Each is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.privacy.services import due_requests_run, export_run, retention_run

log = logging.getLogger("stagedoor.privacy.jobs")
DUE_INTERVAL_SECONDS = 300.0
RETENTION_INTERVAL_SECONDS = 86_400.0


@jobs.job("privacy.export")
def export(request_id: str) -> bool:
    return export_run(request_id=request_id) is not None


@jobs.job("privacy.due")
def due() -> int:
    return due_requests_run()


@jobs.job("privacy.retention")
def retention() -> int:
    report = retention_run(dry_run=False)
    log.info("retention pass", extra={"counts": {line.name: line.count for line in report.lines}})
    return report.total


async def privacy_service(stop: asyncio.Event) -> None:
    last_retention = 0.0
    while not stop.is_set():
        try:
            await sync_to_async(due, thread_sensitive=False)()
            if time.monotonic() - last_retention >= RETENTION_INTERVAL_SECONDS or not last_retention:
                await sync_to_async(retention, thread_sensitive=False)()
                last_retention = time.monotonic()
        except Exception:
            log.exception("privacy pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=DUE_INTERVAL_SECONDS)
