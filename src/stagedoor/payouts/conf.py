"""Payouts settings: `settings.STAGEDOOR.payouts` (core/config/payouts.py's `PayoutsConfig`, from the environment),
each overridable by a Django setting of the variable's own name (tests use pytest-django's `settings`).

| variable | meaning |
|---|---|
| `STAGEDOOR_PAYOUTS_SANCTIONS_LIST` | the operator's sdn.csv (alt.csv beside it); empty: the invented sample |
| `STAGEDOOR_PAYOUTS_SANCTIONS_THRESHOLD` | the fuzzy-match score (50–100) at or above which a name is flagged (88) |
| `STAGEDOOR_PAYOUTS_PERIOD_DAYS` … | periods, minimum, four-eyes, reserve, hold days, review rules: docs/payouts.md |
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from stagedoor.core.config.payouts import PAYOUTS_VARS, product_days

SAMPLE_DIR = Path(__file__).resolve().parent / "data" / "sanctions_sample"
#: the largest bank report (pain.002, camt.054) read, over the API or uploaded in the console
MAX_REPORT_BYTES = 20_000_000
#: holder name vs verified legal name: at or above this the account is "in their own name"
HOLDER_NAME_MIN_SCORE = 85


def _value(name: str) -> Any:
    var = PAYOUTS_VARS[name]
    raw = getattr(settings, var.name, None)
    if raw is not None:
        return var(raw)
    return getattr(settings.STAGEDOOR.payouts, name)


def sanctions_source() -> Path:
    """Where the sanctions list is read from when none is named: the operator's file, else the invented sample."""
    configured: str = _value("sanctions_list")
    return Path(configured) if configured else SAMPLE_DIR


def sanctions_threshold() -> int:
    return int(_value("sanctions_threshold"))


def integer(name: str) -> int:
    """One of the integer settings (period_days, minimum_tokens, four_eyes_above_minor, reserve_bp, reserve_days,
    spike_factor, review_min_tokens, new_account_days, shared_card_payers)."""
    return int(_value(name))


def text(name: str) -> str:
    return str(_value(name))


def hold_days_by_product() -> dict[str, int]:
    return product_days(str(_value("hold_days_by_product")))
