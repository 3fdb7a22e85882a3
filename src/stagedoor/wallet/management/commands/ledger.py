"""`stagedoor ledger verify` (recompute every balance from the entries) and `stagedoor ledger rollup`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from stagedoor.core.progress import collect_with_progress
from stagedoor.wallet.ledger import account_rollup_all
from stagedoor.wallet.models import LedgerAccount
from stagedoor.wallet.verify import LedgerProblem, ledger_verify


class Command(BaseCommand):
    help = "Ledger tools. `verify` recomputes balances from entries; `rollup` folds pending hot-account deltas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "rollup"])

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        if options["action"] == "rollup":
            folded = account_rollup_all()
            console.print(f"OK folded {folded} pending deltas into account balances")
            return
        total = LedgerAccount.objects.count()
        problems, checked = collect_with_progress(
            ledger_verify(), problem_type=LedgerProblem, label="verifying ledger", total=total, console=console
        )
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(f"ledger inconsistent: {len(problems)} problem(s) in {checked} accounts")
        console.print(f"OK ledger balanced: {checked} accounts match their entries, every transfer sums to zero")
