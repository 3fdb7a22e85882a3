"""Affiliates' settings, read from `settings.STAGEDOOR.affiliates` (core/config/affiliates.py) on every call."""

from __future__ import annotations

from django.conf import settings

from stagedoor.core.config.affiliates import AffiliatesConfig
from stagedoor.wallet import conf as wallet_conf

COOKIE = "sd_ref"
COOKIE_SALT = "stagedoor.affiliates.click"
MAX_LINKS = 20


def config() -> AffiliatesConfig:
    found = getattr(settings.STAGEDOOR, "affiliates", None)
    return found if isinstance(found, AffiliatesConfig) else AffiliatesConfig()


def hold_days() -> int:
    """Commissions mature like earnings: after the wallet's hold days (the chargeback window)."""
    return wallet_conf.hold_days()
