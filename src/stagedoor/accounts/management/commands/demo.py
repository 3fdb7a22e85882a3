"""`stagedoor demo`: invented demo accounts of every role, with printed logins.

Idempotent: re-running keeps the accounts and prints the same credentials (kept in
`var/demo_credentials.json`). Accounts whose role requires two-factor get a TOTP secret;
`stagedoor demo --code LOGIN` prints the current code for one of them.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rich.console import Console
from rich.table import Table

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import MFA_REQUIRED_ROLES, Role
from stagedoor.accounts.services import user_create
from stagedoor.core.audit import audit_record

DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("demo_viewer", Role.VIEWER, "Vera Viewer"),
    ("demo_performer", Role.PERFORMER, "Nova Starling"),
    ("demo_chathost", Role.CHAT_HOST, "Hal Host"),
    ("demo_moderator", Role.MODERATOR, "Mona Moderator"),
    ("demo_support1", Role.SUPPORT_L1, "Sam Support"),
    ("demo_support2", Role.SUPPORT_L2, "Tia Tier-Two"),
    ("demo_finance", Role.FINANCE, "Fin Ledger"),
    ("demo_compliance", Role.COMPLIANCE, "Cora Compliance"),
    ("demo_admin", Role.ADMIN, "Ada Admin"),
]


class Command(BaseCommand):
    help = "Create invented demo accounts of every role and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", metavar="LOGIN", help="print the current two-factor code of a demo account")

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.VAR_DIR / "demo_credentials.json"
        creds: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        if options["code"]:
            entry = creds.get(options["code"])
            if not entry or not entry.get("totp_secret"):
                raise CommandError(f"{options['code']!r} is not a demo account with two-factor")
            self.stdout.write(pyotp.TOTP(entry["totp_secret"]).now())
            return
        with transaction.atomic():
            for login, role, name in DEMO_ACCOUNTS:
                entry = creds.setdefault(login, {"password": f"demo-{secrets.token_urlsafe(9)}"})
                user = User.objects.filter(login=login).first()
                if user is None:
                    user = user_create(
                        login=login,
                        email=f"{login}@demo.stagedoor.invalid",
                        password=entry["password"],
                        role=role,
                        display_name=name,
                        actor="cli:demo",
                    )
                elif not user.check_password(entry["password"]):
                    user.set_password(entry["password"])
                    user.save(update_fields=["password"])
                if role in MFA_REQUIRED_ROLES:
                    secret = entry.setdefault("totp_secret", pyotp.random_base32())
                    if not user.mfa_enabled or user.totp_secret != secret:
                        user.totp_secret = secret
                        user.mfa_enabled = True
                        user.save(update_fields=["totp_secret", "mfa_enabled"])
                        audit_record(actor="cli:demo", action="auth.mfa_enabled", target=user, data={"demo": True})
        path.write_text(json.dumps(creds, indent=2))
        path.chmod(0o600)
        self._print(creds)

    def _print(self, creds: dict[str, dict[str, str]]) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)  # type: ignore[arg-type]
        table = Table(title="Stagedoor demo logins (invented people)", title_justify="left")
        table.add_column("role")
        table.add_column("login")
        table.add_column("password")
        table.add_column("two-factor")
        for login, role, _ in DEMO_ACCOUNTS:
            entry = creds[login]
            otp = f"stagedoor demo --code {login}" if entry.get("totp_secret") else "—"
            table.add_row(Role(role).label, login, entry["password"], otp)
        console.print(table)
        console.print(
            f"Log in at {settings.STAGEDOOR.base_url}/login. Staff and performers need the code the last column prints."
        )
