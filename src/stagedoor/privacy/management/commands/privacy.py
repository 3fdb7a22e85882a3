"""`stagedoor privacy retention [--dry-run]` (the retention pass, or what it would do) and `stagedoor privacy due`
(run erasures whose grace period ended, and exports left behind)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stagedoor.privacy.services import due_requests_run, retention_run


class Command(BaseCommand):
    help = (
        "Privacy tools: `retention [--dry-run] [--json]` deletes or anonymises data past its period; "
        "`due` runs due erasures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["retention", "due"])
        parser.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "due":
            self.stdout.write(f"OK ran {due_requests_run()} due request(s)")
            return
        report = retention_run(dry_run=options["dry_run"], actor="stagedoor privacy retention")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "dry_run": report.dry_run,
                        "held_users": report.held_users,
                        "exports_purged": report.exports_purged,
                        "counts": {line.name: line.count for line in report.lines},
                    },
                    sort_keys=True,
                )
            )
            return
        verb = "would" if report.dry_run else "did"
        self.stdout.write(f"{'DRY RUN' if report.dry_run else 'RETENTION'} at {report.ran_at:%Y-%m-%d %H:%M} UTC")
        for line in report.lines:
            if line.days == 0:
                self.stdout.write(f"  {line.name:<22} kept (no period set)")
                continue
            self.stdout.write(
                f"  {line.name:<22} {verb} {line.action} {line.count:>7} ({line.description}; older than "
                f"{line.days} days, before {line.cutoff:%Y-%m-%d})"
            )
        self.stdout.write(
            f"  held accounts skipped: {report.held_users}; expired exports wiped: {report.exports_purged}"
        )
