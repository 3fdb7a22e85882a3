"""Delivery jobs of notifications.

`notifications.deliver` (alert id, first id, last id): one batch of a fan-out, enqueued after the fan-out commits.
`notifications.sweep`: releases notifications held for quiet hours and retries what no batch delivered. Embedded:
`sweep_service`, a pass every 30 s inside `stagedoor run`; production: Celery beat (settings.CELERY_BEAT_SCHEDULE).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.notifications import services

log = logging.getLogger("stagedoor.notifications")
INTERVAL_SECONDS = 30.0


@jobs.job("notifications.deliver")
def deliver(alert_id: str, first_id: int, last_id: int) -> int:
    tally = services.notifications_deliver_range(alert_id=alert_id, first_id=first_id, last_id=last_id)
    return tally.sent


@jobs.job("notifications.sweep")
def sweep() -> int:
    tally = services.notifications_sweep()
    if tally.sent or tally.failed or tally.expired:
        log.info("notifications sweep", extra={"sent": tally.sent, "failed": tally.failed, "expired": tally.expired})
    return tally.sent


async def sweep_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(sweep, thread_sensitive=False)()
        except Exception:
            log.exception("notifications sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
