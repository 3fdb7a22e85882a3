"""Periodic work: `webhooks.deliver_due` sends what is due — new events right after their commit (enqueued by
`event_emit`), retries once their backoff has passed. Embedded: `delivery_service` inside `stagedoor run`, a pass
every 5 s. Production: Celery beat every 5 s (settings.CELERY_BEAT_SCHEDULE). Safe to run twice at once: each
delivery is claimed with a conditional update."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.webhooks.services import deliver_due

log = logging.getLogger("stagedoor.webhooks.tasks")
INTERVAL_SECONDS = 5.0


@jobs.job("webhooks.deliver_due")
def deliver_pass() -> int:
    return deliver_due()


async def delivery_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(deliver_pass, thread_sensitive=False)()
        except Exception:
            log.exception("webhook delivery pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
