"""`stagedoor moderation <subcommand>`: trust & safety tools.

Subcommands live in ``SUBCOMMANDS`` (name -> a ``Subcommand``: its help, its arguments and
what it runs). Add one by writing a ``Subcommand`` and listing it here.

* ``classify``: JSON lines ``{"text": ...}`` on stdin -> one verdict line each, in order.
* ``train``: regenerate the chat data set and the model file.
* ``evaluate``: per-category precision and recall on the held-out split, as JSON.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stagedoor.moderation.management.subcommand import Subcommand
from stagedoor.moderation.management.text import CLASSIFY, EVALUATE, TRAIN

SUBCOMMANDS: dict[str, Subcommand] = {s.name: s for s in (CLASSIFY, TRAIN, EVALUATE)}


class Command(BaseCommand):
    help = "Trust & safety tools: " + ", ".join(f"`{name}` ({s.help})" for name, s in SUBCOMMANDS.items())

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, s in SUBCOMMANDS.items():
            p = sub.add_parser(name, help=s.help, description=s.help)
            s.add_arguments(p)

    def handle(self, *args: Any, **options: Any) -> None:
        SUBCOMMANDS[options["subcommand"]].run(self, options)
