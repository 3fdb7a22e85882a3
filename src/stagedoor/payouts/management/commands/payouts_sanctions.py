"""`stagedoor payouts_sanctions load [DIR]`: load a sanctions list (OFAC SDN CSV: DIR/sdn.csv and DIR/alt.csv, or
the sdn.csv file) and screen every payee against it; `stagedoor payouts_sanctions status`: the list in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stagedoor.core.errors import ApplicationError
from stagedoor.payouts import conf
from stagedoor.payouts.selectors import current_sanctions_list, open_case_count
from stagedoor.payouts.services import sanctions_list_load


class Command(BaseCommand):
    help = "Sanctions lists: `load [DIR]` loads one (all or nothing) and screens every payee; `status` shows it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "status"])
        parser.add_argument("source", nargs="?", default="", help="a directory with sdn.csv (+ alt.csv), or sdn.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            listing = current_sanctions_list()
            if listing is None:
                self.stdout.write(f"no list loaded (the next screening loads {conf.sanctions_source()})")
            else:
                self.stdout.write(
                    f"list {listing.sha256[:16]} from {listing.source}: {listing.entries} entries, "
                    f"{listing.names} names, loaded {listing.loaded_at:%Y-%m-%d %H:%M} by {listing.loaded_by_label}; "
                    f"{open_case_count()} open case(s)"
                )
            return
        source = Path(options["source"]) if options["source"] else None
        try:
            result = sanctions_list_load(source=source, actor="cli")
        except ApplicationError as exc:
            for problem in exc.extra.get("problems") or []:
                self.stderr.write(f"FAIL {problem}")
            raise CommandError(exc.message) from None
        listing = result.sanctions_list
        if not result.created:
            self.stdout.write(f"OK unchanged: list {listing.sha256[:16]} is already loaded ({listing.entries} entries)")
            return
        self.stdout.write(
            f"OK loaded {listing.entries} entries ({listing.names} names) from {listing.source}, "
            f"sha256 {listing.sha256[:16]}; screened {result.screened} people, opened {result.opened} case(s)"
        )
