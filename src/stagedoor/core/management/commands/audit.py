"""`stagedoor audit verify`: recompute the audit log's hash chain and name any tampered row."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from stagedoor.core.audit import AuditProblem, audit_verify
from stagedoor.core.models import AuditEntry
from stagedoor.core.progress import collect_with_progress


class Command(BaseCommand):
    help = "Audit log tools. `verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        total = AuditEntry.objects.count()
        problems, checked = collect_with_progress(
            audit_verify(), problem_type=AuditProblem, label="verifying audit chain", total=total, console=console
        )
        if problems:
            for problem in problems:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {checked} rows")
        console.print(f"OK audit chain intact: {checked} rows verified")
