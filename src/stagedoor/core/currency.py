"""Fiat amounts: integer minor units plus an ISO 4217 currency, converted to and from decimal text exactly."""

from __future__ import annotations

# ISO 4217 minor-unit exponents that are not 2.
_EXPONENTS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}


def currency_exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def minor_to_decimal_string(amount_minor: int, exponent: int = 2) -> str:
    """999 → "9.99" without floats."""
    sign = "-" if amount_minor < 0 else ""
    whole, frac = divmod(abs(amount_minor), 10**exponent)
    return f"{sign}{whole}.{frac:0{exponent}d}" if exponent else f"{sign}{whole}"


def decimal_string_to_minor(text: str, exponent: int = 2) -> int:
    """ "9.99" → 999, "10" → 1000, exact or ValueError (never floats)."""
    text = text.strip()
    if not text or text.startswith(("+", "-")):
        raise ValueError(f"not an amount: {text!r}")
    whole, _, frac = text.partition(".")
    if not whole.isdigit() or (frac and not frac.isdigit()):
        raise ValueError(f"not an amount: {text!r}")
    frac = frac.rstrip("0")
    if len(frac) > exponent:
        raise ValueError(f"too many decimals: {text!r}")
    scale: int = 10**exponent
    return int(whole) * scale + int(frac.ljust(exponent, "0") or "0")
