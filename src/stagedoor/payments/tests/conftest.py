"""Payments fixtures: a package, a buyer, and fakes of the processors at their HTTP boundary."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from pytest_django import Settings

from stagedoor.accounts.models import User
from stagedoor.core.ids import new_id
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.models import TokenPackage

VEROTEL_SHOP = "68849"
VEROTEL_KEY = "verotel-signature-key-for-tests"
BTCPAY_URL = "https://btcpay.example.test"
BTCPAY_STORE = "Store5xLkY"
BTCPAY_API_KEY = "btcpay-api-key-for-tests"
BTCPAY_SECRET = "btcpay-webhook-secret-for-tests"


@pytest.fixture
def package(make_user: Callable[..., Any]) -> TokenPackage:
    finance = make_user("finance")
    return wallet_services.package_create(actor=finance, name="Starter", tokens=100, price_minor=999, currency="USD")


@pytest.fixture
def buyer(make_user: Callable[..., Any]) -> User:
    from stagedoor.wallet.tests.conftest import consent

    user: User = consent(make_user("viewer"))
    return user


@pytest.fixture
def processors(settings: Settings) -> None:
    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    settings.STAGEDOOR_VEROTEL_SHOP_ID = VEROTEL_SHOP
    settings.STAGEDOOR_VEROTEL_SIGNATURE_KEY = VEROTEL_KEY
    settings.STAGEDOOR_BTCPAY_URL = BTCPAY_URL
    settings.STAGEDOOR_BTCPAY_STORE_ID = BTCPAY_STORE
    settings.STAGEDOOR_BTCPAY_API_KEY = BTCPAY_API_KEY
    settings.STAGEDOOR_BTCPAY_WEBHOOK_SECRET = BTCPAY_SECRET


class FakeVerotel:
    """Verotel's side of FlexPay: checks the signed startorder URL, then signs postbacks like Verotel."""

    def __init__(self, key: str = VEROTEL_KEY, shop: str = VEROTEL_SHOP) -> None:
        self.key, self.shop = key, shop

    def _sign(self, params: dict[str, str]) -> str:
        text = ":".join([self.key, *(f"{k}={params[k]}" for k in sorted(params))])
        return hashlib.sha256(text.encode()).hexdigest()

    def open_order_page(self, url: str) -> dict[str, str]:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://secure.verotel.com/startorder"
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        signature = params.pop("signature")
        signed = {k: v for k, v in params.items() if k != "email"}
        assert signature == self._sign(signed), "Verotel would reject this startorder URL"
        assert params["shopID"] == self.shop and params["version"] == "4" and params["type"] == "purchase"
        return params

    def postback(
        self, order: dict[str, str], *, sale_id: str, event: str | None = None, **override: str
    ) -> dict[str, str]:
        params = {
            "shopID": self.shop,
            "saleID": sale_id,
            "referenceID": order["referenceID"],
            "priceAmount": order["priceAmount"],
            "priceCurrency": order["priceCurrency"],
            "paymentMethod": "CC",
            "type": "purchase",
            "transactionID": f"{sale_id}{event or ''}",
        }
        if event:
            params["event"] = event
        params.update(override)
        params["signature"] = self._sign(params)
        return params


@pytest.fixture
def verotel(processors: None) -> FakeVerotel:
    return FakeVerotel()


def verotel_url(params: dict[str, str]) -> str:
    return "/api/v1/payments/postback/verotel?" + urlencode(params)


class FakeBTCPay:
    """The Greenfield API endpoints we use, served through httpx.MockTransport, plus its webhooks."""

    def __init__(self) -> None:
        self.invoices: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"token {BTCPAY_API_KEY}":
            return httpx.Response(401, json={"code": "unauthenticated", "message": "Authentication is required"})
        base = f"/api/v1/stores/{BTCPAY_STORE}/invoices"
        if request.method == "POST" and request.url.path == base:
            body = json.loads(request.content)
            invoice_id = "Inv" + new_id()[-12:]
            invoice = {
                "id": invoice_id,
                "storeId": BTCPAY_STORE,
                "amount": body["amount"],
                "currency": body["currency"],
                "status": "New",
                "metadata": body.get("metadata", {}),
                "checkoutLink": f"{BTCPAY_URL}/i/{invoice_id}",
                "createdTime": int(time.time()),
            }
            self.invoices[invoice_id] = invoice
            return httpx.Response(200, json=invoice)
        if request.method == "GET" and request.url.path.startswith(base + "/"):
            found = self.invoices.get(request.url.path.rsplit("/", 1)[1])
            if found is None:
                return httpx.Response(404, json={"code": "invoice-not-found", "message": "The invoice was not found"})
            return httpx.Response(200, json=found)
        return httpx.Response(404)

    def webhook(
        self, invoice_id: str, event_type: str, *, secret: str = BTCPAY_SECRET, redelivery_of: str | None = None
    ) -> tuple[bytes, str]:
        invoice = self.invoices[invoice_id]
        if event_type == "InvoiceSettled":
            invoice["status"] = "Settled"
        elif event_type in {"InvoiceExpired", "InvoiceInvalid"}:
            invoice["status"] = event_type.removeprefix("Invoice")
        delivery = "Del" + new_id()[-12:]
        body = json.dumps(
            {
                "deliveryId": delivery,
                "webhookId": "Whk123",
                "originalDeliveryId": redelivery_of or delivery,
                "isRedelivery": redelivery_of is not None,
                "type": event_type,
                "timestamp": int(time.time()),
                "storeId": BTCPAY_STORE,
                "invoiceId": invoice_id,
                "metadata": invoice["metadata"],
                "manuallyMarked": False,
            }
        ).encode()
        from stagedoor.payments.providers.btcpay import webhook_signature

        return body, webhook_signature(secret, body)


@pytest.fixture
def btcpay(processors: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBTCPay]:
    from stagedoor.payments.providers import btcpay as module

    fake = FakeBTCPay()
    monkeypatch.setattr(module, "transport", httpx.MockTransport(fake.handler))
    yield fake
