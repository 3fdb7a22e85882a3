"""Helpers of the payouts tests: performers with a chosen verified legal name, valid payout details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stagedoor.verification.models import PerformerStanding, Verification

IBAN = "DE89370400440532013000"  # the textbook example IBAN (valid checksum)
IBAN_BAD = "DE89370400440532013001"  # one digit off: fails the checksum
BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # BIP 173 example (valid bech32)


def performer_named(make_user: Any, legal_name: str, **extra: Any) -> Any:
    """A verified performer whose verified identity carries `legal_name`."""
    user = make_user("performer", **extra)
    standing = PerformerStanding.objects.get(user=user)
    Verification.objects.filter(pk=standing.verification_id).update(legal_name=legal_name)
    return user


def write_list(directory: Path, sdn: str, alt: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sdn.csv").write_text(sdn, encoding="utf-8")
    if alt is not None:
        (directory / "alt.csv").write_text(alt, encoding="utf-8")
    return directory


def sdn_row(ent_num: int | str, name: str, sdn_type: str = "individual", program: str = "DEMO") -> str:
    rest = ",".join(['"-0- "'] * 7)
    return f'{ent_num},"{name}","{sdn_type}","{program}",{rest},"Invented test entry."\n'


def backdate(transfer_id: str, when: Any) -> None:
    """Move a ledger transfer and its entries to `when` (tests only: the ledger itself is append-only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_ledgertransfer SET created_at = %s WHERE id = %s", [when, transfer_id])
        cursor.execute("UPDATE wallet_ledgerentry SET created_at = %s WHERE transfer_id = %s", [when, transfer_id])
