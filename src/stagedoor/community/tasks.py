"""The awards job: `community.awards` (Celery beat in production), an embedded service in `stagedoor run`.

Each pass recomputes the levels of people whose wallet or earnings moved, settles ended contests and, once a
month is over, gives its top supporters their badges. Passes are idempotent (see services.awards).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from asgiref.sync import sync_to_async

from stagedoor.community import services
from stagedoor.core import jobs

log = logging.getLogger("stagedoor.community.awards")
INTERVAL_SECONDS = 60.0


@jobs.job("community.awards")
def awards(now: str | None = None) -> int:
    """One pass (`now`: an ISO time, for tests and catch-up runs). Returns the levels recomputed."""
    tally = services.awards_pass(now=datetime.fromisoformat(now) if now else None)
    if tally.contests or tally.top_supporters:
        log.info("community awards", extra={"contests": tally.contests, "top_supporters": tally.top_supporters})
    return tally.levels


async def awards_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(awards, thread_sensitive=False)()
        except Exception:
            log.exception("community awards pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
