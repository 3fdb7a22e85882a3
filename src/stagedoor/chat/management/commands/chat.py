"""`stagedoor chat`: run the chat gateway on its own (scale-out: one per web node or more)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stagedoor.chat import runtime
from stagedoor.chat.django_gateway import run_standalone


class Command(BaseCommand):
    help = "Run the chat WebSocket gateway (the embedded `stagedoor run` already includes it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        run_standalone(options["host"], options["port"] or runtime.chat_port())
