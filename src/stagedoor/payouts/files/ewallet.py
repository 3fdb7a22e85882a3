"""An e-wallet mass-payment file: the CSV that Paxum-style "mass payment" / "batch transfer" uploads take.

Paxum does not publish its upload format openly; the shape below is the one the industry's e-wallets share with
PayPal's long-standing Mass Payment file (one payee per row, no header, one currency per file):

| column | content |
|---|---|
| 1 | the payee's e-wallet account (the e-mail address it is registered under) |
| 2 | the amount as a decimal string from the integer minor units (`1234` EUR → `12.34`; JPY `500` → `500`) |
| 3 | the ISO 4217 currency code (the same on every row) |
| 4 | our unique reference: the line's end-to-end id (≤ 30 characters, no spaces), echoed in the e-wallet's report |
| 5 | a note the payee sees: the remittance text |

Comma-separated, every field quoted, CRLF line ends, UTF-8 without a BOM. A text cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return is prefixed with `'` so a spreadsheet shows it instead of running it
(OWASP "CSV injection"); an e-mail address starting with one is refused instead — changing it would pay someone else.
"""

from __future__ import annotations

import csv
import io

from stagedoor.core.currency import currency_exponent, minor_to_decimal_string

from .errors import EmptyBatch, InvalidPayoutLine, UnsupportedCurrency, WrongPayoutMethod
from .model import EWalletAccount, PayoutBatch

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_REFERENCE = 30


def spreadsheet_safe(value: str) -> str:
    """A text cell a spreadsheet will show, not evaluate."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def ewallet_mass_payment_csv(batch: PayoutBatch) -> bytes:
    if not batch.lines:
        raise EmptyBatch(f"Batch {batch.batch_id} has no lines: there is nothing to pay.")
    currencies = sorted({line.currency for line in batch.lines})
    if len(currencies) > 1:
        raise UnsupportedCurrency(
            f"Batch {batch.batch_id} mixes {', '.join(currencies)}; a mass-payment file pays one currency.",
            extra={"currencies": currencies},
        )
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for line in batch.lines:
        where = {"end_to_end_id": line.end_to_end_id}
        if not isinstance(line.destination, EWalletAccount):
            raise WrongPayoutMethod(
                f"Line {line.end_to_end_id} ({line.payee_name}) is not an e-wallet payout.", extra=where
            )
        email = line.destination.email
        if email.startswith(FORMULA_STARTS):
            raise InvalidPayoutLine(
                f"Line {line.end_to_end_id} ({line.payee_name}): the e-wallet account {email!r} starts with a "
                "spreadsheet formula character; ask the performer to check it.",
                extra={**where, "field": "email"},
            )
        if len(line.end_to_end_id) > MAX_REFERENCE or " " in line.end_to_end_id:
            raise InvalidPayoutLine(
                f"Line {line.end_to_end_id}: an e-wallet reference is at most {MAX_REFERENCE} characters without "
                "spaces.",
                extra={**where, "field": "end_to_end_id"},
            )
        writer.writerow(
            [
                email,
                minor_to_decimal_string(line.amount_minor, currency_exponent(line.currency)),
                line.currency,
                spreadsheet_safe(line.end_to_end_id),
                spreadsheet_safe(line.remittance),
            ]
        )
    return out.getvalue().encode("utf-8")
