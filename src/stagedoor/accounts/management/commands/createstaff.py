"""`stagedoor createstaff --login L --email E --role R`: create a staff or performer account."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.accounts.services import user_create
from stagedoor.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an account with a staff role. Two-factor set-up is asked for at first login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--login", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=[r.value for r in Role if r != Role.VIEWER])
        parser.add_argument("--display-name", default="")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(login=options["login"].lower()).exists():
            raise CommandError(f"login {options['login']!r} exists")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Again: "):
                raise CommandError("passwords differ")
        try:
            validate_password(password, User(login=options["login"], email=options["email"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        try:
            user = user_create(
                login=options["login"].lower(),
                email=options["email"],
                password=password,
                role=options["role"],
                display_name=options["display_name"],
                actor="cli:createstaff",
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.extra}") from None
        self.stdout.write(
            f"created {user.login} ({user.get_role_display()}); two-factor set-up is required at first login"
        )
