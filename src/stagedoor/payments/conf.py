"""Payment provider settings. A Django setting of the same name wins over the environment variable.

| variable | meaning |
|---|---|
| `STAGEDOOR_PAYMENTS_SANDBOX` | `true`/`false`; default: on unless Verotel or BTCPay is configured |
| `STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY` | `direct` (default: the job calls the postback handler) or `http` |
| `STAGEDOOR_VEROTEL_SHOP_ID`, `STAGEDOOR_VEROTEL_SIGNATURE_KEY` | FlexPay shop id and signature key |
| `STAGEDOOR_VEROTEL_STARTORDER_URL` | default `https://secure.verotel.com/startorder` (brand-specific hosts exist) |
| `STAGEDOOR_BTCPAY_URL`, `…_STORE_ID`, `…_API_KEY`, `…_WEBHOOK_SECRET` | Greenfield API and webhook |
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _get(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value).strip()


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
    shop_id, key = _get("STAGEDOOR_VEROTEL_SHOP_ID"), _get("STAGEDOOR_VEROTEL_SIGNATURE_KEY")
    if not shop_id and not key:
        return None
    if not shop_id.isdigit() or not key:
        raise ImproperlyConfigured(
            "STAGEDOOR_VEROTEL_SHOP_ID (numeric) and STAGEDOOR_VEROTEL_SIGNATURE_KEY go together"
        )
    url = _get("STAGEDOOR_VEROTEL_STARTORDER_URL") or "https://secure.verotel.com/startorder"
    return VerotelConfig(shop_id=shop_id, signature_key=key, startorder_url=url)


def btcpay() -> BTCPayConfig | None:
    values = [_get(f"STAGEDOOR_BTCPAY_{n}") for n in ("URL", "STORE_ID", "API_KEY", "WEBHOOK_SECRET")]
    if not any(values):
        return None
    if not all(values):
        raise ImproperlyConfigured("STAGEDOOR_BTCPAY_URL, _STORE_ID, _API_KEY and _WEBHOOK_SECRET go together")
    url, store_id, api_key, secret = values
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured("STAGEDOOR_BTCPAY_URL: expected https://your-btcpay.example")
    return BTCPayConfig(url=url.rstrip("/"), store_id=store_id, api_key=api_key, webhook_secret=secret)


def sandbox_enabled() -> bool:
    raw = _get("STAGEDOOR_PAYMENTS_SANDBOX").lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    if raw:
        raise ImproperlyConfigured(f"STAGEDOOR_PAYMENTS_SANDBOX: expected true/false, got {raw!r}")
    return verotel() is None and btcpay() is None


def sandbox_delivery() -> str:
    value = _get("STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY").lower() or "direct"
    if value not in {"direct", "http"}:
        raise ImproperlyConfigured("STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY: expected direct or http")
    return value


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
