"""Payment provider settings: Django settings of these names, which settings.py sets from the environment
variables (validated at start-up by `stagedoor.core.config`). Read on every call, and validated with the same
validators, so tests can override them with pytest-django's `settings`.

| variable | meaning |
|---|---|
| `STAGEDOOR_PAYMENTS_SANDBOX` | `true`/`false`; default: on unless Verotel or BTCPay is configured |
| `STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY` | `direct` (default: the job calls the postback handler) or `http` |
| `STAGEDOOR_VEROTEL_SHOP_ID`, `…_SIGNATURE_KEY` | FlexPay shop id (digits) and signature key, both or neither |
| `STAGEDOOR_VEROTEL_STARTORDER_URL` | default `https://secure.verotel.com/startorder` (brand-specific hosts exist) |
| `STAGEDOOR_BTCPAY_URL`, `…_STORE_ID`, `…_API_KEY`, `…_WEBHOOK_SECRET` | Greenfield API and webhook, all or none |
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from stagedoor.core import config


@dataclass(frozen=True)
class VerotelConfig:
    shop_id: str
    signature_key: str
    startorder_url: str


@dataclass(frozen=True)
class BTCPayConfig:
    url: str
    store_id: str
    api_key: str
    webhook_secret: str


def verotel() -> VerotelConfig | None:
    shop_id = config.VEROTEL_SHOP_ID.setting(settings)
    key = config.VEROTEL_SIGNATURE_KEY.setting(settings)
    if not shop_id and not key:
        return None
    config.require_together((config.VEROTEL_SHOP_ID, shop_id), (config.VEROTEL_SIGNATURE_KEY, key))
    url = config.VEROTEL_STARTORDER_URL.setting(settings)
    return VerotelConfig(shop_id=shop_id, signature_key=key, startorder_url=url)


def btcpay() -> BTCPayConfig | None:
    given = [
        (var, var.setting(settings))
        for var in (config.BTCPAY_URL, config.BTCPAY_STORE_ID, config.BTCPAY_API_KEY, config.BTCPAY_WEBHOOK_SECRET)
    ]
    if not any(value for _, value in given):
        return None
    config.require_together(*given)
    url, store_id, api_key, secret = (value for _, value in given)
    return BTCPayConfig(url=url, store_id=store_id, api_key=api_key, webhook_secret=secret)


def sandbox_enabled() -> bool:
    enabled = config.PAYMENTS_SANDBOX.setting(settings)
    if enabled is not None:
        return enabled
    return verotel() is None and btcpay() is None


def sandbox_delivery() -> str:
    return config.PAYMENTS_SANDBOX_DELIVERY.setting(settings)


def sandbox_secret() -> bytes:
    """The sandbox processor's webhook secret, derived from SECRET_KEY (never leaves this server)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"stagedoor.payments.sandbox.v1", hashlib.sha256).digest()


def base_url() -> str:
    return str(settings.STAGEDOOR.base_url).rstrip("/")


def enabled_providers() -> list[str]:
    names = []
    if sandbox_enabled():
        names.append("sandbox")
    if verotel() is not None:
        names.append("verotel")
    if btcpay() is not None:
        names.append("btcpay")
    return names
