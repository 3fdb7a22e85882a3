"""The roll-up job: `analytics.rollup` (Celery beat in production), an embedded service in `stagedoor run`: the
ledger and chat roll-ups and the chat sentiment pass."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.analytics import services
from stagedoor.core import jobs

log = logging.getLogger("stagedoor.analytics.rollup")
INTERVAL_SECONDS = 10.0


@jobs.job("analytics.rollup")
def rollup() -> int:
    """Fold new ledger entries and chat activity into the daily roll-ups, and score settled chat lines into the
    hourly sentiment rows. Returns the entries folded."""
    folded = services.ledger_rollup()
    services.chat_rollup_pass()
    services.sentiment_rollup()
    return folded


async def rollup_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(rollup, thread_sensitive=False)()
        except Exception:
            log.exception("analytics roll-up failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
