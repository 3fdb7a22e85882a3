"""Shared makers for the payout-file tests (a batch of real-looking lines)."""

from __future__ import annotations

import datetime as dt

from stagedoor.payouts.files.model import BankAccount, Destination, PayoutBatch, PayoutLine
from stagedoor.payouts.files.sepa import SepaDebtor

DEBTOR = SepaDebtor(name="Stagedoor Demo Operator", iban="DE89370400440532013000", bic="COBADEFFXXX")
CREATED = dt.datetime(2025, 1, 9, 8, 30, tzinfo=dt.UTC)
EXECUTION = dt.date(2025, 1, 10)


def line(
    e2e: str = "01JH00000000000000000000A1",
    *,
    name: str = "Ana Lima",
    amount: int = 12_345,
    currency: str = "EUR",
    destination: Destination | None = None,
    remittance: str = "Stagedoor payout 2025-W02",
) -> PayoutLine:
    return PayoutLine(
        end_to_end_id=e2e,
        payee_name=name,
        amount_minor=amount,
        currency=currency,
        destination=destination or BankAccount(iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX"),
        remittance=remittance,
    )


def batch(*lines: PayoutLine, batch_id: str = "SD-2025W02-SEPA-1") -> PayoutBatch:
    return PayoutBatch(batch_id=batch_id, execution_date=EXECUTION, created_at=CREATED, lines=tuple(lines))
