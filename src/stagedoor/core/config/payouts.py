"""Payouts: periods, threshold, four-eyes, reserves, sanctions screening, the platform's SEPA debtor account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stagedoor.core.config.vars import ConfigError, Var, _file, _integer, _text, _text_of

PRODUCTS = ("tips", "shows", "fan_clubs", "messages")


def _product_days(name: str, raw: object) -> str:
    """`product=days,…` (products: tips, shows, fan_clubs, messages; days 0–365), kept as normalised text."""
    text = _text_of(raw) or ""
    parts = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        product, _, days = chunk.partition("=")
        product = product.strip()
        if product not in PRODUCTS:
            raise ConfigError(name, f"unknown product {product!r} (one of {', '.join(PRODUCTS)})")
        if not days.strip().isdigit() or not 0 <= int(days) <= 365:
            raise ConfigError(name, f"expected {product}=<days 0–365>, got {chunk!r}")
        parts.append(f"{product}={int(days)}")
    return ",".join(parts)


def product_days(text: str) -> dict[str, int]:
    """The mapping `_product_days` validated."""
    return {p: int(d) for p, _, d in (c.partition("=") for c in text.split(",") if c)}


PAYOUTS_PERIOD_DAYS = Var("STAGEDOOR_PAYOUTS_PERIOD_DAYS", _integer(7, 1, 92))
PAYOUTS_MINIMUM_TOKENS = Var("STAGEDOOR_PAYOUTS_MINIMUM_TOKENS", _integer(500, 0, 100_000_000))
PAYOUTS_FOUR_EYES_ABOVE_MINOR = Var("STAGEDOOR_PAYOUTS_FOUR_EYES_ABOVE_MINOR", _integer(1_000_000, 0, 10**12))
PAYOUTS_RESERVE_BP = Var("STAGEDOOR_PAYOUTS_RESERVE_BP", _integer(0, 0, 10_000))
PAYOUTS_RESERVE_DAYS = Var("STAGEDOOR_PAYOUTS_RESERVE_DAYS", _integer(90, 0, 730))
PAYOUTS_SANCTIONS_LIST = Var("STAGEDOOR_PAYOUTS_SANCTIONS_LIST", _file)
PAYOUTS_SANCTIONS_THRESHOLD = Var("STAGEDOOR_PAYOUTS_SANCTIONS_THRESHOLD", _integer(88, 50, 100))
PAYOUTS_HOLD_DAYS_BY_PRODUCT = Var("STAGEDOOR_PAYOUTS_HOLD_DAYS_BY_PRODUCT", _product_days)
PAYOUTS_SPIKE_FACTOR = Var("STAGEDOOR_PAYOUTS_SPIKE_FACTOR", _integer(5, 2, 1000))
PAYOUTS_REVIEW_MIN_TOKENS = Var("STAGEDOOR_PAYOUTS_REVIEW_MIN_TOKENS", _integer(5000, 0, 10**9))
PAYOUTS_NEW_ACCOUNT_DAYS = Var("STAGEDOOR_PAYOUTS_NEW_ACCOUNT_DAYS", _integer(7, 0, 365))
PAYOUTS_SHARED_CARD_PAYERS = Var("STAGEDOOR_PAYOUTS_SHARED_CARD_PAYERS", _integer(3, 2, 1000))
PAYOUTS_SEPA_DEBTOR_NAME = Var("STAGEDOOR_PAYOUTS_SEPA_DEBTOR_NAME", _text("Stagedoor Demo Operator"))
PAYOUTS_SEPA_DEBTOR_IBAN = Var("STAGEDOOR_PAYOUTS_SEPA_DEBTOR_IBAN", _text("DE89370400440532013000"))
PAYOUTS_SEPA_DEBTOR_BIC = Var("STAGEDOOR_PAYOUTS_SEPA_DEBTOR_BIC", _text("COBADEFFXXX"))


@dataclass(frozen=True)
class PayoutsConfig:
    """Payout periods (days) and the minimum a performer must be owed to be paid (the rest carries over); the run
    total (in minor units of the payout currency) above which two different finance staff must approve; the rolling
    reserve (a share of each payout held back for N days); the sanctions list the operator loads (OFAC SDN CSV; empty:
    the invented sample shipped for tests and the demo) and the fuzzy-match score (50–100) that flags a payee; the
    platform's own account SEPA credit transfers are paid from (an example IBAN until the operator sets theirs);
    hold days per product where they differ from the wallet's hold days (`fan_clubs=30,shows=14`); the velocity and
    anomaly rules: a period's earnings over `spike_factor` times the mean of the four before, most of them from
    accounts created in the last `new_account_days`, or `shared_card_payers` payers buying with one card — each
    only above `review_min_tokens` — hold the payout for review."""

    period_days: int = 7
    minimum_tokens: int = 500
    four_eyes_above_minor: int = 1_000_000
    reserve_bp: int = 0
    reserve_days: int = 90
    sanctions_list: str = ""
    sanctions_threshold: int = 88
    hold_days_by_product: str = ""
    spike_factor: int = 5
    review_min_tokens: int = 5000
    new_account_days: int = 7
    shared_card_payers: int = 3
    sepa_debtor_name: str = "Stagedoor Demo Operator"
    sepa_debtor_iban: str = "DE89370400440532013000"
    sepa_debtor_bic: str = "COBADEFFXXX"


PAYOUTS_VARS = {
    "period_days": PAYOUTS_PERIOD_DAYS,
    "minimum_tokens": PAYOUTS_MINIMUM_TOKENS,
    "four_eyes_above_minor": PAYOUTS_FOUR_EYES_ABOVE_MINOR,
    "reserve_bp": PAYOUTS_RESERVE_BP,
    "reserve_days": PAYOUTS_RESERVE_DAYS,
    "sanctions_list": PAYOUTS_SANCTIONS_LIST,
    "sanctions_threshold": PAYOUTS_SANCTIONS_THRESHOLD,
    "hold_days_by_product": PAYOUTS_HOLD_DAYS_BY_PRODUCT,
    "spike_factor": PAYOUTS_SPIKE_FACTOR,
    "review_min_tokens": PAYOUTS_REVIEW_MIN_TOKENS,
    "new_account_days": PAYOUTS_NEW_ACCOUNT_DAYS,
    "shared_card_payers": PAYOUTS_SHARED_CARD_PAYERS,
    "sepa_debtor_name": PAYOUTS_SEPA_DEBTOR_NAME,
    "sepa_debtor_iban": PAYOUTS_SEPA_DEBTOR_IBAN,
    "sepa_debtor_bic": PAYOUTS_SEPA_DEBTOR_BIC,
}


def _payouts_config(env: Mapping[str, str]) -> PayoutsConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in PAYOUTS_VARS.items()}
    return PayoutsConfig(**values)
