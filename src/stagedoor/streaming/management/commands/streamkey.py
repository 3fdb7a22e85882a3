from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stagedoor.accounts.models import User
from stagedoor.core.errors import ApplicationError
from stagedoor.streaming.services import stream_key_revoke, stream_key_rotate


class Command(BaseCommand):
    help = "Manage performers' stream keys: `streamkey rotate <login>` prints a new key; `streamkey revoke <login>`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rotate", "revoke"])
        parser.add_argument("login")

    def handle(self, *args: Any, action: str, login: str, **options: Any) -> None:
        user = User.objects.filter(login=login.lower()).first()
        if user is None:
            raise CommandError(f"no account with login {login!r}")
        try:
            if action == "rotate":
                key = stream_key_rotate(user=user, actor="cli")
                self.stdout.write(key)
            else:
                count = stream_key_revoke(user=user, actor="cli")
                self.stdout.write(f"revoked {count} key(s)")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
