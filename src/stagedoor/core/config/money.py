"""Wallet and payments: revenue share, holds, payouts, chargebacks; the sandbox, Verotel and BTCPay."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from stagedoor.core.config.vars import (
    Var,
    _choice,
    _currency,
    _digits,
    _integer,
    _optional_flag,
    _text,
    _url,
    require_together,
)

CHARGEBACK_POLICIES = ("platform_absorbs", "clawback")

WALLET_PERFORMER_SHARE_BP = Var("STAGEDOOR_WALLET_PERFORMER_SHARE_BP", _integer(5000, 0, 10_000))
WALLET_HOLD_DAYS = Var("STAGEDOOR_WALLET_HOLD_DAYS", _integer(7, 0, 365))
WALLET_PAYOUT_RATE_MINOR = Var("STAGEDOOR_WALLET_PAYOUT_RATE_MINOR", _integer(10, 0, 1_000_000))
WALLET_PAYOUT_CURRENCY = Var("STAGEDOOR_WALLET_PAYOUT_CURRENCY", _currency)
WALLET_CHARGEBACK_POLICY = Var("STAGEDOOR_WALLET_CHARGEBACK_POLICY", _choice("platform_absorbs", CHARGEBACK_POLICIES))
WALLET_MAX_TIP = Var("STAGEDOOR_WALLET_MAX_TIP", _integer(100_000, 1, 10**9))
WALLET_ROLLUP_EVERY = Var("STAGEDOOR_WALLET_ROLLUP_EVERY", _integer(200, 1, 10**6))

PAYMENTS_SANDBOX = Var("STAGEDOOR_PAYMENTS_SANDBOX", _optional_flag)  # unset: on unless a processor is set
PAYMENTS_SANDBOX_DELIVERY = Var("STAGEDOOR_PAYMENTS_SANDBOX_DELIVERY", _choice("direct", ("direct", "http")))
VEROTEL_SHOP_ID = Var("STAGEDOOR_VEROTEL_SHOP_ID", _digits)
VEROTEL_SIGNATURE_KEY = Var("STAGEDOOR_VEROTEL_SIGNATURE_KEY", _text(""))
VEROTEL_STARTORDER_URL = Var(
    "STAGEDOOR_VEROTEL_STARTORDER_URL",
    _url("https://secure.verotel.com/startorder", ("http", "https"), "https://host/startorder"),
)
BTCPAY_URL = Var("STAGEDOOR_BTCPAY_URL", _url("", ("http", "https"), "https://your-btcpay.example"))
BTCPAY_STORE_ID = Var("STAGEDOOR_BTCPAY_STORE_ID", _text(""))
BTCPAY_API_KEY = Var("STAGEDOOR_BTCPAY_API_KEY", _text(""))
BTCPAY_WEBHOOK_SECRET = Var("STAGEDOOR_BTCPAY_WEBHOOK_SECRET", _text(""))


@dataclass(frozen=True)
class WalletConfig:
    performer_share_bp: int
    hold_days: int
    payout_rate_minor: int
    payout_currency: str
    chargeback_policy: str
    max_tip: int
    rollup_every: int


@dataclass(frozen=True)
class PaymentsConfig:
    sandbox: bool | None  # None: on unless Verotel or BTCPay is configured
    sandbox_delivery: str
    verotel_shop_id: str
    verotel_signature_key: str = field(repr=False)
    verotel_startorder_url: str
    btcpay_url: str
    btcpay_store_id: str
    btcpay_api_key: str = field(repr=False)
    btcpay_webhook_secret: str = field(repr=False)


def _wallet_config(env: Mapping[str, str]) -> WalletConfig:
    return WalletConfig(
        performer_share_bp=WALLET_PERFORMER_SHARE_BP.read(env),
        hold_days=WALLET_HOLD_DAYS.read(env),
        payout_rate_minor=WALLET_PAYOUT_RATE_MINOR.read(env),
        payout_currency=WALLET_PAYOUT_CURRENCY.read(env),
        chargeback_policy=WALLET_CHARGEBACK_POLICY.read(env),
        max_tip=WALLET_MAX_TIP.read(env),
        rollup_every=WALLET_ROLLUP_EVERY.read(env),
    )


def _payments_config(env: Mapping[str, str]) -> PaymentsConfig:
    payments = PaymentsConfig(
        sandbox=PAYMENTS_SANDBOX.read(env),
        sandbox_delivery=PAYMENTS_SANDBOX_DELIVERY.read(env),
        verotel_shop_id=VEROTEL_SHOP_ID.read(env),
        verotel_signature_key=VEROTEL_SIGNATURE_KEY.read(env),
        verotel_startorder_url=VEROTEL_STARTORDER_URL.read(env),
        btcpay_url=BTCPAY_URL.read(env),
        btcpay_store_id=BTCPAY_STORE_ID.read(env),
        btcpay_api_key=BTCPAY_API_KEY.read(env),
        btcpay_webhook_secret=BTCPAY_WEBHOOK_SECRET.read(env),
    )
    require_together(
        (VEROTEL_SHOP_ID, payments.verotel_shop_id), (VEROTEL_SIGNATURE_KEY, payments.verotel_signature_key)
    )
    require_together(
        (BTCPAY_URL, payments.btcpay_url),
        (BTCPAY_STORE_ID, payments.btcpay_store_id),
        (BTCPAY_API_KEY, payments.btcpay_api_key),
        (BTCPAY_WEBHOOK_SECRET, payments.btcpay_webhook_secret),
    )
    return payments
