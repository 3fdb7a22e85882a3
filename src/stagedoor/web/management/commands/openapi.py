"""`stagedoor openapi [--check]`: write or diff the committed openapi.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def render() -> str:
    from stagedoor.api import api

    return json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema to openapi.json, or --check that the committed one is current."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default="openapi.json")
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        current = render()
        if options["check"]:
            committed = path.read_text() if path.exists() else ""
            if committed != current:
                import difflib

                diff = "".join(
                    difflib.unified_diff(
                        committed.splitlines(True), current.splitlines(True), str(path), "generated", n=2
                    )
                )
                self.stderr.write(diff[:20000])
                raise CommandError(f"{path} is out of date: run `stagedoor openapi` and commit it")
            self.stdout.write(f"{path} is current")
            return
        path.write_text(current)
        self.stdout.write(f"wrote {path}")
