"""Outgoing webhooks: which private networks endpoints may reach, timeouts, concurrency, retries, auto-disabling."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stagedoor.core.config.vars import ConfigError, Var, _integer, _seconds, _text_of

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(name: str, raw: object) -> tuple[Network, ...]:
    """`127.0.0.1/32,10.0.0.0/8` (an address alone is a /32 or /128): private networks endpoints may reach."""
    text = _text_of(raw) or ""
    found: list[Network] = []
    for chunk in filter(None, (c.strip() for c in text.split(","))):
        try:
            found.append(ipaddress.ip_network(chunk, strict=False))
        except ValueError:
            raise ConfigError(name, f"expected networks like 127.0.0.1/32,10.0.0.0/8, got {chunk!r}") from None
    return tuple(found)


WEBHOOKS_ALLOWED_NETWORKS = Var("STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS", _networks)
WEBHOOKS_TIMEOUT_S = Var("STAGEDOOR_WEBHOOKS_TIMEOUT_S", _seconds(10.0))
WEBHOOKS_CONCURRENCY = Var("STAGEDOOR_WEBHOOKS_CONCURRENCY", _integer(8, 1, 256))
WEBHOOKS_PER_ENDPOINT = Var("STAGEDOOR_WEBHOOKS_PER_ENDPOINT", _integer(2, 1, 64))
WEBHOOKS_MAX_ATTEMPTS = Var("STAGEDOOR_WEBHOOKS_MAX_ATTEMPTS", _integer(8, 1, 50))
WEBHOOKS_BACKOFF_BASE_S = Var("STAGEDOOR_WEBHOOKS_BACKOFF_BASE_S", _seconds(30.0))
WEBHOOKS_BACKOFF_MAX_S = Var("STAGEDOOR_WEBHOOKS_BACKOFF_MAX_S", _seconds(6 * 3600.0))
WEBHOOKS_DISABLE_AFTER_FAILURES = Var("STAGEDOOR_WEBHOOKS_DISABLE_AFTER_FAILURES", _integer(15, 1, 10_000))
WEBHOOKS_DISABLE_AFTER_HOURS = Var("STAGEDOOR_WEBHOOKS_DISABLE_AFTER_HOURS", _integer(24, 0, 24 * 90))
WEBHOOKS_MAX_ENDPOINTS = Var("STAGEDOOR_WEBHOOKS_MAX_ENDPOINTS", _integer(10, 1, 1000))


@dataclass(frozen=True)
class WebhooksConfig:
    """Private, loopback and link-local addresses are refused as endpoints (SSRF) unless they fall in
    `allowed_networks`; each attempt has `timeout_s` in all; a delivery pass sends at most `concurrency` requests at
    once and at most `per_endpoint` to one endpoint (a slow endpoint cannot hold the others up); a failed attempt is
    retried after `backoff_base_s` × 2^(n−1) (at most `backoff_max_s`, with jitter), `max_attempts` in all; an
    endpoint that failed `disable_after_failures` times in a row over at least `disable_after_hours` is disabled and
    its owner told; one owner has at most `max_endpoints` endpoints."""

    allowed_networks: tuple[Network, ...] = ()
    timeout_s: float = 10.0
    concurrency: int = 8
    per_endpoint: int = 2
    max_attempts: int = 8
    backoff_base_s: float = 30.0
    backoff_max_s: float = 6 * 3600.0
    disable_after_failures: int = 15
    disable_after_hours: int = 24
    max_endpoints: int = 10


WEBHOOKS_VARS: dict[str, Var[Any]] = {
    "allowed_networks": WEBHOOKS_ALLOWED_NETWORKS,
    "timeout_s": WEBHOOKS_TIMEOUT_S,
    "concurrency": WEBHOOKS_CONCURRENCY,
    "per_endpoint": WEBHOOKS_PER_ENDPOINT,
    "max_attempts": WEBHOOKS_MAX_ATTEMPTS,
    "backoff_base_s": WEBHOOKS_BACKOFF_BASE_S,
    "backoff_max_s": WEBHOOKS_BACKOFF_MAX_S,
    "disable_after_failures": WEBHOOKS_DISABLE_AFTER_FAILURES,
    "disable_after_hours": WEBHOOKS_DISABLE_AFTER_HOURS,
    "max_endpoints": WEBHOOKS_MAX_ENDPOINTS,
}


def _webhooks_config(env: Mapping[str, str]) -> WebhooksConfig:
    values: dict[str, Any] = {name: var.read(env) for name, var in WEBHOOKS_VARS.items()}
    config = WebhooksConfig(**values)
    if config.timeout_s <= 0:
        raise ConfigError(WEBHOOKS_TIMEOUT_S.name, "must be more than 0")
    if config.backoff_max_s < config.backoff_base_s:
        raise ConfigError(WEBHOOKS_BACKOFF_MAX_S.name, "must not be less than STAGEDOOR_WEBHOOKS_BACKOFF_BASE_S")
    return config
