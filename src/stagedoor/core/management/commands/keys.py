"""`stagedoor keys status|rotate`: rows per key-encryption key id, and re-wrapping every stored data key under the
active (first configured) key. See `core.keys` and docs/privacy.md ("Encryption at rest")."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from stagedoor.core import keys
from stagedoor.core.crypto import keyring


class Command(BaseCommand):
    help = "Encryption keys. `status` counts rows per key id per column; `rotate` re-wraps them under the active key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "rotate"])
        parser.add_argument("--batch-size", type=int, default=500, help="rotate: rows per transaction")
        parser.add_argument(
            "--max-batches", type=int, default=None, help="rotate: stop after this many batches (resume later)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)  # type: ignore[arg-type]
        if options["action"] == "status":
            self._status(console)
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        if options["max_batches"] is not None and options["max_batches"] < 1:
            raise CommandError("--max-batches must be at least 1")
        self._rotate(console, batch_size=options["batch_size"], max_batches=options["max_batches"])

    def _status(self, console: Console) -> None:
        ring = keyring()
        console.print(f"active key: {ring.active_id}; configured: {', '.join(ring.keys)}")
        console.print(f"key ids in use (start-up check): {', '.join(sorted(keys.keys_in_use())) or '(none recorded)'}")
        for label, counts in keys.key_counts().items():
            if not counts:
                console.print(f"{label}: no values")
                continue
            parts = ", ".join(f"{kid}={n}" for kid, n in sorted(counts.items()))
            console.print(f"{label}: {parts}")

    def _rotate(self, console: Console, *, batch_size: int, max_batches: int | None) -> None:
        ring = keyring()
        columns = keys.token_columns()
        total = sum(keys.rows_to_rotate(col, ring.active_id) for col in columns)
        console.print(f"rotating {total} row(s) in {len(columns)} column(s) to key {ring.active_id}")
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("re-wrapping", total=total)

            def on_batch(col: keys.TokenColumn, n: int) -> None:
                progress.update(task, advance=n, description=col.label)

            report = keys.rotate(batch_size=batch_size, max_batches=max_batches, on_batch=on_batch)
        for column in report.columns:
            if column.rewrapped or column.retried or column.failed:
                console.print(
                    f"{column.label}: rewrapped {column.rewrapped}, retried {column.retried}, "
                    f"failed {len(column.failed)}"
                )
            for pk, reason in column.failed:
                self.stderr.write(f"FAIL {column.label} pk={pk}: {reason}")
        if not report.complete:
            raise CommandError(
                f"stopped after {max_batches} batch(es), {report.rewrapped} row(s) rewrapped: "
                "run `stagedoor keys rotate` again to resume"
            )
        for label, counts in report.remaining.items():
            parts = ", ".join(f"{kid}={n}" for kid, n in sorted(counts.items()))
            self.stderr.write(f"LEFT {label}: {parts}")
        if not report.ok:
            raise CommandError(
                f"rotation incomplete: rows still name another key (see above); {report.rewrapped} row(s) rewrapped"
            )
        console.print(f"OK every stored token is on key {ring.active_id}: {report.rewrapped} row(s) rewrapped")
