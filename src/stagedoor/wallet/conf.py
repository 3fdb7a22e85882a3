"""Wallet settings: a Django setting `STAGEDOOR_WALLET_<NAME>` wins, then the environment variable of the
same name, then the default. Read on every call so tests can override them with pytest-django's `settings`.

| name | default | meaning |
|---|---|---|
| `PERFORMER_SHARE_BP` | 5000 | performer's share of a tip in basis points when they have no terms of their own |
| `HOLD_DAYS` | 7 | earnings stay on hold this many days (chargeback window) before they are available |
| `PAYOUT_RATE_MINOR` | 10 | value of one earned token at payout, in minor units of `PAYOUT_CURRENCY` |
| `PAYOUT_CURRENCY` | USD | |
| `CHARGEBACK_POLICY` | platform_absorbs | or `clawback`: take it back from performers' earnings still on hold |
| `MAX_TIP` | 100000 | largest single tip in tokens |
| `ROLLUP_EVERY` | 200 | on average one write in N schedules a balance roll-up of the hot account it credited |
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "STAGEDOOR_WALLET_"
CHARGEBACK_POLICIES = ("platform_absorbs", "clawback")


def _raw(name: str, default: str) -> str:
    value = getattr(settings, PREFIX + name, None)
    if value is None:
        value = os.environ.get(PREFIX + name) or default
    return str(value).strip()


def _int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = _raw(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{PREFIX}{name}: expected an integer, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{PREFIX}{name}: must be between {minimum} and {maximum}, got {value}")
    return value


def performer_share_bp() -> int:
    return _int("PERFORMER_SHARE_BP", 5000, minimum=0, maximum=10_000)


def hold_days() -> int:
    return _int("HOLD_DAYS", 7, minimum=0, maximum=365)


def payout_rate_minor() -> int:
    return _int("PAYOUT_RATE_MINOR", 10, minimum=0, maximum=1_000_000)


def payout_currency() -> str:
    value = _raw("PAYOUT_CURRENCY", "USD").upper()
    if len(value) != 3 or not value.isalpha():
        raise ImproperlyConfigured(f"{PREFIX}PAYOUT_CURRENCY: expected a 3-letter ISO code, got {value!r}")
    return value


def chargeback_policy() -> str:
    value = _raw("CHARGEBACK_POLICY", "platform_absorbs").lower()
    if value not in CHARGEBACK_POLICIES:
        raise ImproperlyConfigured(f"{PREFIX}CHARGEBACK_POLICY: expected one of {CHARGEBACK_POLICIES}, got {value!r}")
    return value


def max_tip() -> int:
    return _int("MAX_TIP", 100_000, minimum=1, maximum=10**9)


def rollup_every() -> int:
    return _int("ROLLUP_EVERY", 200, minimum=1, maximum=10**6)
