"""Payout details: check what a performer typed and show it masked (pure functions, no Django).

- SEPA bank transfer: an IBAN (checksum and national format with `schwifty`) and an optional BIC;
- e-wallet (Paxum-style): the account's e-mail address;
- crypto: a Bitcoin address — base58check (P2PKH `1…`, P2SH `3…`, testnet `m/n/2…`) with its double-SHA-256
  checksum, or bech32/bech32m (`bc1…`, `tb1…`, BIP 173/350) with its polymod checksum.

Every problem is a `DetailsProblem(field, message)`; the service turns them into one `ValidationFailed`.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

SEPA: Final = "sepa"
EWALLET: Final = "ewallet"
CRYPTO: Final = "crypto"
KINDS: Final = (SEPA, EWALLET, CRYPTO)
MASK: Final = "••••"

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3


class DetailsProblem(Exception):
    """One field's problem: `field` (iban, bic, email, address, kind) and a sentence for the person."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def clean_sepa(iban: str, bic: str = "") -> dict[str, str]:
    """The IBAN (compact) and BIC (upper case, may be empty), or a DetailsProblem naming the field."""
    raw = (iban or "").strip()
    if not raw:
        raise DetailsProblem("iban", "Enter the IBAN of your bank account.")
    try:
        parsed = IBAN(raw)
    except InvalidChecksumDigits:
        raise DetailsProblem("iban", "This IBAN fails its checksum: check for a mistyped digit.") from None
    except SchwiftyException as exc:
        raise DetailsProblem("iban", f"This is not a valid IBAN ({exc}).") from None
    bic_text = (bic or "").strip().replace(" ", "").upper()
    if bic_text:
        try:
            BIC(bic_text)
        except SchwiftyException as exc:
            raise DetailsProblem("bic", f"This is not a valid BIC ({exc}).") from None
    return {"iban": parsed.compact, "bic": bic_text}


def clean_ewallet(email: str) -> dict[str, str]:
    text = (email or "").strip()
    if not _EMAIL.match(text) or len(text) > 254:
        raise DetailsProblem("email", "Enter the e-mail address of your e-wallet account (name@example.com).")
    return {"email": text}


def _base58_ok(address: str) -> bool:
    number = 0
    for char in address:
        index = _B58.find(char)
        if index < 0:
            return False
        number = number * 58 + index
    pad = len(address) - len(address.lstrip("1"))
    raw = b"\x00" * pad + number.to_bytes((number.bit_length() + 7) // 8, "big")
    if len(raw) != 25 or raw[0] not in (0x00, 0x05, 0x6F, 0xC4):
        return False
    check = hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4]
    return check == raw[-4:]


def _bech32_polymod(values: list[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _bech32_ok(address: str) -> bool:
    if address.lower() != address and address.upper() != address:
        return False
    text = address.lower()
    hrp, sep, data = text.rpartition("1")
    if not sep or hrp not in ("bc", "tb") or not 14 <= len(address) <= 74 or len(data) < 7:
        return False
    if any(c not in _BECH32 for c in data):
        return False
    values = [_BECH32.index(c) for c in data]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    constant = _bech32_polymod(expanded + values)
    version = values[0]
    if version > 16:
        return False
    return constant == (1 if version == 0 else _BECH32M_CONST)


def clean_crypto(address: str) -> dict[str, str]:
    text = (address or "").strip()
    if text[:3].lower() in ("bc1", "tb1"):
        ok = _bech32_ok(text)
        text = text.lower()
    elif text[:1] in ("1", "3", "m", "n", "2") and 26 <= len(text) <= 35:
        ok = _base58_ok(text)
    else:
        ok = False
    if not ok:
        raise DetailsProblem(
            "address", "This is not a valid Bitcoin address (bc1…, 1… or 3…): check it was copied whole."
        )
    return {
        "address": text,
        "network": "testnet" if text[:1] in ("m", "n", "2") or text.startswith("tb1") else "bitcoin",
    }


def clean_details(kind: str, fields: dict[str, str]) -> dict[str, str]:
    if kind == SEPA:
        return clean_sepa(fields.get("iban", ""), fields.get("bic", ""))
    if kind == EWALLET:
        return clean_ewallet(fields.get("email", ""))
    if kind == CRYPTO:
        return clean_crypto(fields.get("address", ""))
    raise DetailsProblem("kind", "Choose bank transfer, e-wallet or crypto.")


def masked(kind: str, details: dict[str, str]) -> str:
    """What may be shown: "DE89 •••• 3000", "p•••@example.com", "bc1q•••• 7kv8"."""
    if kind == SEPA:
        iban = details.get("iban", "")
        return f"{iban[:4]} {MASK} {iban[-4:]}" if len(iban) > 8 else MASK
    if kind == EWALLET:
        local, _, domain = details.get("email", "").partition("@")
        return f"{local[:1]}{MASK}@{domain}" if domain else MASK
    if kind == CRYPTO:
        address = details.get("address", "")
        return f"{address[:4]}{MASK} {address[-4:]}" if len(address) > 8 else MASK
    return MASK
