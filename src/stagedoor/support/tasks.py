"""Periodic work and the embedded listener.

- `support.sla_sweep`: flag tickets past their SLA targets and alert the queue's agents. Embedded: an async
  service of `stagedoor run` (`sla_service`, a pass a minute). Production: scheduled by Celery beat
  (settings.CELERY_BEAT_SCHEDULE). Idempotent: a breach is flagged once (a conditional update).
- `support.stream_incidents`: sample every live stream's health warnings into `StreamIncident`s (the timeline's
  "health incidents"). Embedded: `stream_incidents_service`, every 15 s, in the process that runs the ingest.
  Production: the beat entry; it reads the health ingests share through Redis.
- `smtp_service`: the inbound mail listener (aiosmtpd) inside `stagedoor run`, when STAGEDOOR_SUPPORT_SMTP_PORT
  is not 0. A port already taken is logged and the rest of `run` goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from django.conf import settings

from stagedoor.core import jobs
from stagedoor.support.services import sla_sweep, stream_incidents_sample

log = logging.getLogger("stagedoor.support.tasks")
INTERVAL_SECONDS = 60.0
INCIDENT_INTERVAL_SECONDS = 15.0


@jobs.job("support.sla_sweep")
def sla_pass() -> int:
    found = sla_sweep()
    if found:
        log.info("support SLA breaches", extra={"breaches": found})
    return found


async def sla_service(stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(sla_pass, thread_sensitive=False)()
        except Exception:
            log.exception("support SLA pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INTERVAL_SECONDS)


@jobs.job("support.stream_incidents")
def incidents_pass() -> int:
    opened, closed = stream_incidents_sample()
    return opened + closed


async def stream_incidents_service(stop: asyncio.Event) -> None:
    """Inside `stagedoor run` (where the ingest runs, so its live health is readable): a pass every 15 s."""
    while not stop.is_set():
        try:
            await sync_to_async(incidents_pass, thread_sensitive=False)()
        except Exception:
            log.exception("support stream incident pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=INCIDENT_INTERVAL_SECONDS)


async def smtp_service(stop: asyncio.Event) -> None:
    from stagedoor.support.smtp import start_listener

    cfg = settings.STAGEDOOR.support
    if not cfg.smtp_port:
        return
    try:
        server = await start_listener(
            cfg.smtp_host, cfg.smtp_port, domain=cfg.reply_domain, max_bytes=cfg.mail_max_mb * 1024 * 1024
        )
    except OSError as exc:
        log.error("support SMTP listener not started", extra={"port": cfg.smtp_port, "error": str(exc)})
        return
    log.info("support SMTP listener", extra={"host": cfg.smtp_host, "port": cfg.smtp_port})
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
