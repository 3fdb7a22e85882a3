"""`stagedoor payouts_run --as LOGIN [--period-end ISO]`: make the payout run of the last period ended (for a cron at
the start of each period; a finance member's login is recorded as its maker). Run twice: the same run, nobody paid
twice. `stagedoor payouts_run --poll`: ask BTCPay what became of crypto payouts sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stagedoor.accounts.models import User
from stagedoor.core.errors import ApplicationError
from stagedoor.payouts import selectors, services


class Command(BaseCommand):
    help = "Make the payout run of the last period ended (--as a finance login), or --poll BTCPay for crypto payouts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="login", default="", help="the finance member making the run")
        parser.add_argument("--period-end", default="", help="an ISO time: the run of the last period ended by then")
        parser.add_argument("--poll", action="store_true", help="settle crypto payouts BTCPay has finished")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["poll"]:
            self.stdout.write(f"OK polled: {services.crypto_payouts_poll() or 'nothing sent'}")
            return
        actor = User.objects.filter(login=options["login"]).first()
        if actor is None:
            raise CommandError("Name a finance member with --as LOGIN.")
        try:
            end = datetime.fromisoformat(options["period_end"]) if options["period_end"] else None
        except ValueError:
            raise CommandError(f"--period-end {options['period_end']!r} is not an ISO time.") from None
        try:
            run, created = services.payout_run_create(actor=actor, period_end=end)
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        counts = selectors.run_counts(run)
        verb = "made" if created else "already made"
        self.stdout.write(
            f"OK {verb}: run {run.pk} {run.period_start:%Y-%m-%d}..{run.period_end:%Y-%m-%d}, {run.status}, "
            f"{run.total_tokens} tokens = {run.total_minor} minor {run.currency}, lines {counts}, "
            f"{run.approvals_needed} approval(s) needed"
        )
