"""Is the database schema current? The one check every serving process makes before it starts (cli.py).

A process that serves on a database without its tables fails on every request and every background
tick; it is better to stop at once and say what to run, or, for the all-in-one `stagedoor run` on the
embedded SQLite database, to migrate first.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS


class SchemaNotMigrated(Exception):
    """Migrations are pending. `str()` is one line saying what to run."""

    def __init__(self, pending: int) -> None:
        self.pending = pending
        noun = "migration" if pending == 1 else "migrations"
        super().__init__(f"the database is not migrated ({pending} {noun} pending): run `stagedoor migrate`")


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many migrations `stagedoor migrate` would apply."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def ensure_migrated(*, may_apply: bool, announce: Callable[[str], None]) -> None:
    """Return when the schema is current. Otherwise apply the pending migrations when `may_apply`
    (after announcing it in one line), else raise SchemaNotMigrated."""
    from django.core.management import call_command
    from django.db import connections

    try:
        pending = pending_migrations()
        if pending == 0:
            return
        if not may_apply:
            raise SchemaNotMigrated(pending)
        noun = "migration" if pending == 1 else "migrations"
        announce(f"the database is not migrated: applying {pending} {noun} (`stagedoor migrate`)")
        call_command("migrate", interactive=False, verbosity=0)
    finally:
        connections.close_all()  # the process's threads open their own
