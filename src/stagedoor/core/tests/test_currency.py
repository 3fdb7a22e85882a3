"""Fiat amounts: integer minor units and exact decimal text, per ISO 4217 exponent."""

from __future__ import annotations

import pytest

from stagedoor.core.currency import currency_exponent, decimal_string_to_minor, minor_to_decimal_string


def test_exponents_follow_iso_4217() -> None:
    assert currency_exponent("usd") == 2
    assert currency_exponent("JPY") == 0
    assert currency_exponent("KWD") == 3


@pytest.mark.parametrize(
    ("minor", "exponent", "text"),
    [(999, 2, "9.99"), (1000, 2, "10.00"), (-5, 2, "-0.05"), (1500, 0, "1500"), (1234, 3, "1.234")],
)
def test_minor_to_text_and_back(minor: int, exponent: int, text: str) -> None:
    assert minor_to_decimal_string(minor, exponent) == text
    if minor >= 0:
        assert decimal_string_to_minor(text, exponent) == minor


@pytest.mark.parametrize("text", ["", "-1.00", "+1", "1.999", "1e3", "abc", "1.2.3"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        decimal_string_to_minor(text, 2)


def test_trailing_zeros_and_whole_amounts() -> None:
    assert decimal_string_to_minor("10", 2) == 1000
    assert decimal_string_to_minor("9.990", 2) == 999
