"""Wallet settings: the Django setting `STAGEDOOR_WALLET_<NAME>`, which settings.py sets from the environment
variable of the same name (validated at start-up by `stagedoor.core.config`). Read on every call, and validated
with the same validator, so tests can override them with pytest-django's `settings`.

| name | default | meaning |
|---|---|---|
| `PERFORMER_SHARE_BP` | 5000 | performer's share in basis points (0–10000) when no commission rule applies |
| `HOLD_DAYS` | 7 | earnings stay on hold this many days (0–365; chargeback window) before they are available |
| `PAYOUT_RATE_MINOR` | 10 | value of one earned token at payout, in minor units of `PAYOUT_CURRENCY` (0–1000000) |
| `PAYOUT_CURRENCY` | USD | a 3-letter ISO code |
| `CHARGEBACK_POLICY` | platform_absorbs | or `clawback`: take it back from performers' earnings still on hold |
| `MAX_TIP` | 100000 | largest single tip in tokens (1–10⁹) |
| `ROLLUP_EVERY` | 200 | on average one write in N (1–10⁶) schedules a balance roll-up of the hot account it credited |
"""

from __future__ import annotations

from django.conf import settings

from stagedoor.core import config

CHARGEBACK_POLICIES = config.CHARGEBACK_POLICIES


def performer_share_bp() -> int:
    return config.WALLET_PERFORMER_SHARE_BP.setting(settings)


def hold_days() -> int:
    return config.WALLET_HOLD_DAYS.setting(settings)


def payout_rate_minor() -> int:
    return config.WALLET_PAYOUT_RATE_MINOR.setting(settings)


def payout_currency() -> str:
    return config.WALLET_PAYOUT_CURRENCY.setting(settings)


def chargeback_policy() -> str:
    return config.WALLET_CHARGEBACK_POLICY.setting(settings)


def max_tip() -> int:
    return config.WALLET_MAX_TIP.setting(settings)


def rollup_every() -> int:
    return config.WALLET_ROLLUP_EVERY.setting(settings)
