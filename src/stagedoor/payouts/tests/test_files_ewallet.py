"""The e-wallet mass-payment CSV: golden bytes, one currency, spreadsheet-formula escaping."""

from __future__ import annotations

import csv
import io

import pytest

from stagedoor.payouts.files import errors
from stagedoor.payouts.files.ewallet import ewallet_mass_payment_csv
from stagedoor.payouts.files.model import BankAccount, EWalletAccount
from stagedoor.payouts.tests.files_samples import batch, line


def test_golden_file() -> None:
    lines = [
        line(
            "01JH0000000000000000000W01",
            name="Ana Lima",
            amount=12_345,
            currency="USD",
            destination=EWalletAccount("ana.lima@example.com"),
            remittance="Stagedoor payout 2025-W02",
        ),
        line(
            "01JH0000000000000000000W02",
            name="Bo Chen",
            amount=5,
            currency="USD",
            destination=EWalletAccount("bo+cams@example.org"),
            remittance='Week 2, "bonus" incl.',
        ),
        line(
            "01JH0000000000000000000W03",
            name="=Cleo",
            amount=100_000_000,
            currency="USD",
            destination=EWalletAccount("cleo@example.net"),
            remittance='=HYPERLINK("http://evil.test")',
        ),
        line(
            "01JH0000000000000000000W04",
            name="Dee",
            amount=700,
            currency="USD",
            destination=EWalletAccount("dee@example.net"),
            remittance="-5 chargeback adjustment",
        ),
        line(
            "01JH0000000000000000000W05",
            name="Eli",
            amount=1,
            currency="USD",
            destination=EWalletAccount("eli@example.net"),
            remittance="@SUM(A1:A9)",
        ),
        line(
            "01JH0000000000000000000W06",
            name="Fay",
            amount=99,
            currency="USD",
            destination=EWalletAccount("fay@example.net"),
            remittance="+1 tip",
        ),
    ]
    assert ewallet_mass_payment_csv(batch(*lines, batch_id="SD-2025W02-EW")) == (
        b'"ana.lima@example.com","123.45","USD","01JH0000000000000000000W01","Stagedoor payout 2025-W02"\r\n'
        b'"bo+cams@example.org","0.05","USD","01JH0000000000000000000W02","Week 2, ""bonus"" incl."\r\n'
        b'"cleo@example.net","1000000.00","USD","01JH0000000000000000000W03","\'=HYPERLINK(""http://evil.test"")"\r\n'
        b'"dee@example.net","7.00","USD","01JH0000000000000000000W04","\'-5 chargeback adjustment"\r\n'
        b'"eli@example.net","0.01","USD","01JH0000000000000000000W05","\'@SUM(A1:A9)"\r\n'
        b'"fay@example.net","0.99","USD","01JH0000000000000000000W06","\'+1 tip"\r\n'
    )


def test_rows_read_back_and_amounts_are_exact_for_zero_decimal_currencies() -> None:
    data = ewallet_mass_payment_csv(
        batch(
            line("W-JPY-1", amount=500, currency="JPY", destination=EWalletAccount("jo@example.jp"), remittance="Zoë ✓")
        )
    )
    assert list(csv.reader(io.StringIO(data.decode("utf-8")))) == [["jo@example.jp", "500", "JPY", "W-JPY-1", "Zoë ✓"]]


def test_mixed_currencies_empty_batches_and_other_methods_are_refused() -> None:
    usd = line("W1", currency="USD", destination=EWalletAccount("a@example.com"))
    eur = line("W2", currency="EUR", destination=EWalletAccount("b@example.com"))
    with pytest.raises(errors.UnsupportedCurrency, match="EUR, USD") as caught:
        ewallet_mass_payment_csv(batch(usd, eur))
    assert caught.value.extra == {"currencies": ["EUR", "USD"]}
    with pytest.raises(errors.EmptyBatch):
        ewallet_mass_payment_csv(batch())
    with pytest.raises(errors.WrongPayoutMethod, match="W3"):
        ewallet_mass_payment_csv(batch(line("W3", destination=BankAccount("DE89370400440532013000"))))


def test_accounts_starting_with_a_formula_character_are_refused_not_altered() -> None:
    risky = line("W4", name="Gus", currency="USD", destination=EWalletAccount("=cmd@example.com"))
    with pytest.raises(errors.InvalidPayoutLine, match="formula") as caught:
        ewallet_mass_payment_csv(batch(risky))
    assert caught.value.extra["end_to_end_id"] == "W4"
    with pytest.raises(errors.InvalidPayoutLine, match="e-mail"):
        EWalletAccount("not an address")


def test_references_longer_than_the_e_wallet_allows_are_refused() -> None:
    long_ref = line("R" * 31, currency="USD", destination=EWalletAccount("a@example.com"))
    with pytest.raises(errors.InvalidPayoutLine, match="at most 30"):
        ewallet_mass_payment_csv(batch(long_ref))
