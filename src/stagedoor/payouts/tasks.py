"""The crypto payout poll: ask BTCPay what became of sent crypto payouts and settle the finished ones.

Embedded: an async service of `stagedoor run` (`crypto_poll_service`, a pass every five minutes). Production: the
`payouts.poll_crypto` job, scheduled by Celery beat. A pass settles each line at most once (see services.settle),
so two at once, or one replayed after a crash, change nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async

from stagedoor.core import jobs
from stagedoor.payouts.services import crypto_payouts_poll

log = logging.getLogger("stagedoor.payouts.crypto")
INTERVAL_SECONDS = 300.0


@jobs.job("payouts.poll_crypto")
def poll_crypto() -> int:
    """One pass. Returns how many payouts BTCPay reported finished (paid or failed)."""
    counts = crypto_payouts_poll()
    finished = counts.get("paid", 0) + counts.get("failed", 0)
    if counts:
        log.info("crypto payouts polled", extra={"counts": counts})
    return finished


async def crypto_poll_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(poll_crypto, thread_sensitive=False)()
        except Exception:
            log.exception("crypto payout poll failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)
