"""`stagedoor wallet_tiers [--period YYYY-MM]`: the monthly earnings-tier job (run at 00:00 UTC on the 1st)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stagedoor.wallet.services import commission_tiers_compute


class Command(BaseCommand):
    help = (
        "Store each performer's tokens earned in the previous calendar month (UTC) for tier rules. Idempotent: "
        "run it at every month boundary, again after a crash, or for a given --period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="the month the tiers apply to, YYYY-MM (default: this month, UTC)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = None
        if options["period"]:
            try:
                start = datetime.strptime(options["period"], "%Y-%m").replace(tzinfo=UTC)
            except ValueError:
                raise CommandError("Use --period YYYY-MM, e.g. 2026-01.") from None
        written = commission_tiers_compute(period_start=start)
        self.stdout.write(f"OK {written} performer tier(s) stored")
