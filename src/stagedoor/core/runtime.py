"""The processes: `run` (everything in one asyncio loop), `web`, `worker`, `beat`.

Apps add long-running parts of the embedded `run` (RTMP ingest, chat gateway, demo
broadcaster…) by naming an async callable in `settings.STAGEDOOR_EMBEDDED_SERVICES`;
each is called as `await service(stop: asyncio.Event)` and must return once `stop` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("stagedoor.runtime")

Service = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


async def outbox_sweeper(stop: asyncio.Event, *, interval: float = 10.0) -> None:
    """Embedded stand-in for Celery beat: re-dispatch outbox events a crash left behind."""
    from asgiref.sync import sync_to_async

    from stagedoor.core.outbox import outbox_sweep

    while not stop.is_set():
        try:
            await sync_to_async(outbox_sweep, thread_sensitive=False)()
        except Exception:
            log.exception("outbox sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


def embedded_services() -> list[tuple[str, Service]]:
    names: list[str] = list(getattr(settings, "STAGEDOOR_EMBEDDED_SERVICES", []))
    return [(name, import_string(name)) for name in names]


async def run_services(names: list[str]) -> None:
    """Run the named services until SIGINT/SIGTERM (the `stagedoor ingest` process)."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(import_string(name)(stop), name=name) for name in names]
    await stop.wait()
    await _await_stopped(tasks, timeout=15)


async def _await_stopped(tasks: list[asyncio.Task[None]], *, timeout: float) -> None:
    """Give each service (already told to stop) `timeout` seconds to finish."""
    for task in tasks:
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
            await asyncio.wait_for(task, timeout=timeout)


async def serve(host: str, port: int, *, embedded: bool) -> None:
    import uvicorn

    trusted_proxies = settings.STAGEDOOR.server.trusted_proxies  # STAGEDOOR_TRUSTED_PROXIES
    config = uvicorn.Config(
        "stagedoor.asgi:application",
        host=host,
        port=port,
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=",".join(trusted_proxies),
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    if embedded:
        for name, service in [("stagedoor.core.runtime.outbox_sweeper", outbox_sweeper), *embedded_services()]:
            log.info("starting embedded service", extra={"service": name})
            tasks.append(asyncio.create_task(service(stop), name=name))

    try:
        await server.serve()  # handles SIGINT/SIGTERM itself
    finally:
        stop.set()
        await _await_stopped(tasks, timeout=10)
