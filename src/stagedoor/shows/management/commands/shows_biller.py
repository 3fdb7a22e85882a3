"""`stagedoor shows_biller`: the shows biller as its own process (a pass about every second until stopped)."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stagedoor.shows.tasks import INTERVAL_SECONDS, biller_service


class Command(BaseCommand):
    help = "Run the shows biller: charge due show minutes, drop seats out of funds, expire old requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=INTERVAL_SECONDS, help="seconds between passes")

    def handle(self, *args: Any, **options: Any) -> None:
        interval = max(0.05, float(options["interval"]))
        self.stdout.write(f"shows biller running (a pass every {interval:g} s)")
        self.stdout.flush()
        asyncio.run(self._run(interval))
        self.stdout.write("shows biller stopped")

    async def _run(self, interval: float) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await biller_service(stop, interval=interval)
