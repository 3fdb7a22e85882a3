"""Advertising: who sees no ads, how often one address may click before clicks stop counting, the index refresh."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stagedoor.core.config.vars import Var, _integer, _optional_flag, _seconds

# Fan-club members never see ads; with this on, viewers holding tokens (a wallet balance above 0) see none either.
ADS_TOKEN_HOLDERS_AD_FREE = Var("STAGEDOOR_ADS_TOKEN_HOLDERS_AD_FREE", _optional_flag)
# Clicks one address may make in a minute that still count; the rest redirect but are recorded as refused.
ADS_CLICKS_PER_MINUTE = Var("STAGEDOOR_ADS_CLICKS_PER_MINUTE", _integer(10, 1, 10_000))
# How often a web process checks whether campaigns changed (and rebuilds its in-memory index if so).
ADS_INDEX_REFRESH_S = Var("STAGEDOOR_ADS_INDEX_REFRESH_S", _seconds(2.0))


@dataclass(frozen=True)
class AdsConfig:
    token_holders_ad_free: bool = False
    clicks_per_minute: int = 10
    index_refresh_s: float = 2.0


def _ads_config(env: Mapping[str, str]) -> AdsConfig:
    return AdsConfig(
        token_holders_ad_free=bool(ADS_TOKEN_HOLDERS_AD_FREE.read(env)),
        clicks_per_minute=ADS_CLICKS_PER_MINUTE.read(env),
        index_refresh_s=ADS_INDEX_REFRESH_S.read(env),
    )
