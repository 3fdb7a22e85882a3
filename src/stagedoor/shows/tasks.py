"""The biller: one pass of `shows.bill` charges every due minute, lets go of seats whose page is gone,
drops seats whose funds ran out and expires unanswered private requests.

Embedded (`stagedoor run`): `biller_service` runs a pass about every second. Production: Celery beat runs
the `shows.bill` job every second, or `stagedoor shows_biller` runs the loop as its own process. Running
several at once is safe: each minute is charged under a lock on its participant's row, with a unique minute
row and a unique ledger key (services/billing.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.shows.services import bill_due, requests_expire

log = logging.getLogger("stagedoor.shows.biller")
INTERVAL_SECONDS = 1.0


@jobs.job("shows.bill")
def bill_pass() -> int:
    """One biller pass. Returns how many seats it charged, dropped or let go, plus requests expired."""
    outcome = bill_due()
    expired = requests_expire()
    if outcome.dropped or outcome.gone:
        log.info("biller pass", extra={"dropped": len(outcome.dropped), "gone": len(outcome.gone)})
    return outcome.touched + expired


async def biller_service(stop: asyncio.Event, *, interval: float = INTERVAL_SECONDS) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(bill_pass, thread_sensitive=False)()
        except Exception:
            log.exception("shows biller pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
