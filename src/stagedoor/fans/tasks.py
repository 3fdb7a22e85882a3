"""The fan club renewal job.

Embedded: an async service of `stagedoor run` (`renewal_service`, a pass a minute). Production: the `fans.renew`
job, scheduled by Celery beat (settings.CELERY_BEAT_SCHEDULE). Passes are idempotent: two at once, or one
replayed after a crash, never charge a period twice (see services.clubs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.fans.services import memberships_renew

log = logging.getLogger("stagedoor.fans.renewal")
INTERVAL_SECONDS = 60.0


@jobs.job("fans.renew")
def renew(now: str | None = None) -> int:
    """One renewal pass (`now`: an ISO time, for tests and catch-up runs). Returns how many periods were paid."""
    when = datetime.fromisoformat(now) if now else None
    tally = memberships_renew(now=when)
    if tally.renewed or tally.grace or tally.lapsed or tally.ended:
        log.info(
            "fan club renewals",
            extra={"renewed": tally.renewed, "grace": tally.grace, "lapsed": tally.lapsed, "ended": tally.ended},
        )
    return tally.renewed


async def renewal_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(renew, thread_sensitive=False)()
        except Exception:
            log.exception("fan club renewal pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
