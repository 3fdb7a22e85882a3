"""Postback delivery: the first try right after the change commits (`affiliates.postback_deliver`), retries by the
`affiliates.postbacks` job (Celery beat every 15 s; embedded: `postback_service`, a pass every 15 s)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from asgiref.sync import sync_to_async

from stagedoor.affiliates import services
from stagedoor.core import jobs

log = logging.getLogger("stagedoor.affiliates.tasks")
INTERVAL_SECONDS = 15.0


@jobs.job("affiliates.postback_deliver")
def postback_deliver(postback_id: str) -> str:
    return services.postback_deliver(postback_id=postback_id)


@jobs.job("affiliates.postbacks")
def postbacks(now: str | None = None) -> int:
    """One retry pass (`now`: an ISO time, for tests and catch-up). Returns how many postbacks were tried."""
    return services.postbacks_run_due(now=datetime.fromisoformat(now) if now else None)


async def postback_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(postbacks, thread_sensitive=False)()
        except Exception:
            log.exception("postback pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
