"""What a payout file is made of: lines of integer minor units, each with one destination, grouped in a batch.

The end-to-end id travels with the money through the bank (or e-wallet, or BTCPay) and comes back in its status
reports and returns: it is how a reconciliation finds the payout again. The payouts services set it to a stable id
of the payout (a ULID is 26 characters), so a file built twice for the same batch is byte-for-byte the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .errors import InvalidEndToEndId, InvalidPayoutLine

# SEPA identifiers (EPC rulebook, "Restricted character set" for references): Latin letters, digits and
# / - ? : ( ) . , ' + and space; not starting or ending with "/" and without "//".
_SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+ ]{1,35}")
_CURRENCY = re.compile(r"[A-Z]{3}")
# An e-wallet account is an e-mail address; shape only (the e-wallet itself says whether the account exists).
_EMAIL = re.compile(
    r"[^@\s\"',;<>]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Bitcoin addresses: base58 (P2PKH/P2SH, 25–35 chars) or bech32/bech32m (bc1/tb1/bcrt1…); BTCPay checks the rest.
_BTC_ADDRESS = re.compile(r"[13mn2][1-9A-HJ-NP-Za-km-z]{24,34}|(?:bc|tb|bcrt)1[02-9ac-hj-np-z]{8,87}")
MAX_NAME = 140
MAX_REMITTANCE = 140


def check_sepa_id(value: str, *, what: str = "end-to-end id") -> str:
    if (
        not isinstance(value, str)
        or not _SEPA_ID.fullmatch(value)
        or value.startswith("/")
        or value.endswith("/")
        or "//" in value
        or value != value.strip()
    ):
        size = len(str(value))
        why = (
            f"is {size} characters long; SEPA allows at most 35"
            if size > 35
            else "must be 1–35 characters of A–Z a–z 0–9 / - ? : ( ) . , ' + space, not starting or ending with / "
            "and without //"
        )
        raise InvalidEndToEndId(
            f"The {what} {value!r} {why}.",
            extra={"field": what, "value": str(value)[:80], "length": len(str(value))},
        )
    return value


@dataclass(frozen=True)
class BankAccount:
    """A SEPA account: the IBAN (spaces allowed, compacted when the file is built) and an optional BIC."""

    iban: str
    bic: str = ""


@dataclass(frozen=True)
class EWalletAccount:
    """An e-wallet account, named by the e-mail address it is registered under."""

    email: str

    def __post_init__(self) -> None:
        if not _EMAIL.fullmatch(self.email) or len(self.email) > 254:
            raise InvalidPayoutLine(
                f"{self.email!r} is not an e-mail address an e-wallet account can have.",
                extra={"field": "email", "value": self.email[:80]},
            )


@dataclass(frozen=True)
class BitcoinAddress:
    """An on-chain Bitcoin address (or a BIP21 URI BTCPay accepts)."""

    address: str

    def __post_init__(self) -> None:
        bare = self.address.removeprefix("bitcoin:").split("?", 1)[0]
        if not _BTC_ADDRESS.fullmatch(bare) and not _BTC_ADDRESS.fullmatch(bare.lower()):
            raise InvalidPayoutLine(
                f"{self.address!r} is not a Bitcoin address.", extra={"field": "address", "value": self.address[:100]}
            )


Destination = BankAccount | EWalletAccount | BitcoinAddress


@dataclass(frozen=True)
class PayoutLine:
    """One payee paid once: `amount_minor` in minor units of `currency` (cents for EUR), never a float."""

    end_to_end_id: str
    payee_name: str
    amount_minor: int
    currency: str
    destination: Destination
    remittance: str = ""

    def __post_init__(self) -> None:
        check_sepa_id(self.end_to_end_id)
        where = {"end_to_end_id": self.end_to_end_id}
        if type(self.amount_minor) is not int or self.amount_minor <= 0:
            raise InvalidPayoutLine(
                f"Line {self.end_to_end_id}: the amount must be a positive whole number of minor units, "
                f"not {self.amount_minor!r}.",
                extra={**where, "field": "amount_minor"},
            )
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise InvalidPayoutLine(
                f"Line {self.end_to_end_id}: {self.currency!r} is not an ISO 4217 currency code.",
                extra={**where, "field": "currency"},
            )
        name = self.payee_name.strip() if isinstance(self.payee_name, str) else ""
        if not name or len(name) > MAX_NAME or any(ord(ch) < 32 for ch in name):
            raise InvalidPayoutLine(
                f"Line {self.end_to_end_id}: the payee name must be 1–{MAX_NAME} printable characters.",
                extra={**where, "field": "payee_name"},
            )
        if len(self.remittance) > MAX_REMITTANCE or any(ord(ch) < 32 for ch in self.remittance):
            raise InvalidPayoutLine(
                f"Line {self.end_to_end_id}: the remittance text must be at most {MAX_REMITTANCE} printable "
                "characters.",
                extra={**where, "field": "remittance"},
            )
        if not isinstance(self.destination, BankAccount | EWalletAccount | BitcoinAddress):
            raise InvalidPayoutLine(
                f"Line {self.end_to_end_id}: no destination.", extra={**where, "field": "destination"}
            )


@dataclass(frozen=True)
class PayoutBatch:
    """The lines of one payout run for one method. `batch_id` becomes the file's message id, `created_at` its
    creation time (aware), `execution_date` the day the bank is asked to pay."""

    batch_id: str
    execution_date: date
    created_at: datetime
    lines: tuple[PayoutLine, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        check_sepa_id(self.batch_id, what="batch id")
        if self.created_at.tzinfo is None or self.created_at.utcoffset() is None:
            raise InvalidPayoutLine(
                f"Batch {self.batch_id}: created_at must be timezone-aware.", extra={"field": "created_at"}
            )
        if not isinstance(self.lines, tuple):
            object.__setattr__(self, "lines", tuple(self.lines))
        seen: set[str] = set()
        for line in self.lines:
            if line.end_to_end_id in seen:
                raise InvalidPayoutLine(
                    f"Batch {self.batch_id}: the end-to-end id {line.end_to_end_id} appears twice.",
                    extra={"end_to_end_id": line.end_to_end_id, "field": "end_to_end_id"},
                )
            seen.add(line.end_to_end_id)

    @property
    def total_minor(self) -> int:
        return sum(line.amount_minor for line in self.lines)
