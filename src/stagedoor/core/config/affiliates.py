"""Affiliates: click de-duplication, the fraud rules' thresholds, the postback retry schedule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stagedoor.core.config.vars import Var, _integer

AFFILIATES_CLICK_DEDUP_SECONDS = Var("STAGEDOOR_AFFILIATES_CLICK_DEDUP_SECONDS", _integer(3600, 1, 86_400 * 7))
AFFILIATES_SIGNUPS_PER_DEVICE = Var("STAGEDOOR_AFFILIATES_SIGNUPS_PER_DEVICE", _integer(2, 1, 1000))
AFFILIATES_SIGNUPS_PER_NETWORK = Var("STAGEDOOR_AFFILIATES_SIGNUPS_PER_NETWORK", _integer(5, 1, 10_000))
AFFILIATES_POSTBACK_ATTEMPTS = Var("STAGEDOOR_AFFILIATES_POSTBACK_ATTEMPTS", _integer(8, 1, 30))
AFFILIATES_POSTBACK_BACKOFF_SECONDS = Var("STAGEDOOR_AFFILIATES_POSTBACK_BACKOFF_SECONDS", _integer(30, 1, 3600))
AFFILIATES_POSTBACK_TIMEOUT_SECONDS = Var("STAGEDOOR_AFFILIATES_POSTBACK_TIMEOUT_SECONDS", _integer(10, 1, 60))

AFFILIATES_VARS = {
    "click_dedup_seconds": AFFILIATES_CLICK_DEDUP_SECONDS,
    "signups_per_device": AFFILIATES_SIGNUPS_PER_DEVICE,
    "signups_per_network": AFFILIATES_SIGNUPS_PER_NETWORK,
    "postback_attempts": AFFILIATES_POSTBACK_ATTEMPTS,
    "postback_backoff_seconds": AFFILIATES_POSTBACK_BACKOFF_SECONDS,
    "postback_timeout_seconds": AFFILIATES_POSTBACK_TIMEOUT_SECONDS,
}


@dataclass(frozen=True)
class AffiliatesConfig:
    """Clicks from one address on one link count once per `click_dedup_seconds`; more than `signups_per_device`
    sign-ups from one device, or `signups_per_network` from one network (/24, /48), for one affiliate within 24 h
    hold their commissions; a postback is tried `postback_attempts` times, waiting `postback_backoff_seconds` ×
    2^(attempt-1) between tries, each try given `postback_timeout_seconds`."""

    click_dedup_seconds: int = 3600
    signups_per_device: int = 2
    signups_per_network: int = 5
    postback_attempts: int = 8
    postback_backoff_seconds: int = 30
    postback_timeout_seconds: int = 10


def _affiliates_config(env: Mapping[str, str]) -> AffiliatesConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in AFFILIATES_VARS.items()}
    return AffiliatesConfig(**values)
