"""BTCPay Server: Greenfield invoices and BTCPay-Sig webhooks, faked at the HTTP boundary (MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from stagedoor.accounts.models import User
from stagedoor.payments.models import Postback, Purchase
from stagedoor.payments.tests.conftest import FakeBTCPay
from stagedoor.wallet import selectors
from stagedoor.wallet.models import TokenPackage
from stagedoor.wallet.tests.conftest import ledger_problems

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/postback/btcpay"


def buy(api_client: Callable[..., Client], buyer: User, package: TokenPackage) -> tuple[Client, dict[str, Any]]:
    client = api_client(buyer)
    response = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "btcpay", "idempotency_key": "btc-buy-0001"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return client, response.json()


def deliver(client: Client, body: bytes, sig: str) -> TestResponse:
    return client.post(URL, body, content_type="application/json", HTTP_BTCPAY_SIG=sig)


def test_invoice_created_with_greenfield_api(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, btcpay: FakeBTCPay
) -> None:
    _client, purchase = buy(api_client, buyer, package)
    created = btcpay.requests[0]
    assert created.method == "POST" and created.url.path == "/api/v1/stores/Store5xLkY/invoices"
    assert json.loads(created.content) == {
        "amount": "9.99",
        "currency": "USD",
        "metadata": {"orderId": purchase["id"], "itemDesc": "100 Stagedoor tokens"},
        "checkout": {
            "redirectURL": f"http://127.0.0.1:8000/wallet?purchase={purchase['id']}",
            "redirectAutomatically": True,
        },
    }
    invoice_id = next(iter(btcpay.invoices))
    assert purchase["checkout_url"] == f"https://btcpay.example.test/i/{invoice_id}"
    assert Purchase.objects.get(pk=purchase["id"]).provider_ref == invoice_id


def test_settled_webhook_credits_once_after_checking_the_invoice(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, btcpay: FakeBTCPay
) -> None:
    client, _purchase = buy(api_client, buyer, package)
    invoice_id = next(iter(btcpay.invoices))
    body, sig = btcpay.webhook(invoice_id, "InvoiceSettled")
    assert deliver(client, body, sig).status_code == 200
    assert deliver(client, body, sig).status_code == 200  # same delivery again
    redelivery, sig2 = btcpay.webhook(invoice_id, "InvoiceSettled", redelivery_of="Del0")
    assert deliver(client, redelivery, sig2).status_code == 200  # a redelivery with a new id
    assert selectors.wallet_balance(buyer) == 100
    assert btcpay.requests[-1].method == "GET"  # the invoice was fetched before money moved
    assert list(Postback.objects.order_by("received_at").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
        "duplicate",
    ]
    assert ledger_problems() == []


def test_forged_or_unsettled_webhooks_change_nothing(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, btcpay: FakeBTCPay
) -> None:
    client, _purchase = buy(api_client, buyer, package)
    invoice_id = next(iter(btcpay.invoices))
    btcpay.invoices[invoice_id]["status"] = "New"
    forged_body, forged_sig = btcpay.webhook(invoice_id, "InvoiceSettled", secret="wrong-secret")
    assert deliver(client, forged_body, forged_sig).status_code == 403
    assert deliver(client, forged_body, "").status_code == 403
    # correctly signed, but BTCPay says the invoice is not settled (e.g. a webhook replayed from another store state)
    genuine_body, genuine_sig = btcpay.webhook(invoice_id, "InvoiceSettled")
    btcpay.invoices[invoice_id]["status"] = "Processing"
    assert deliver(client, genuine_body, genuine_sig).status_code == 400
    assert selectors.wallet_balance(buyer) == 0
    expired, sig = btcpay.webhook(invoice_id, "InvoiceExpired")
    assert deliver(client, expired, sig).status_code == 200
    assert Purchase.objects.get().status == "declined"
    assert list(Postback.objects.order_by("received_at").values_list("outcome", flat=True)) == [
        "refused_signature",
        "refused_signature",
        "refused_invalid",
        "applied",
    ]


def test_provider_down_is_a_retryable_error(
    api_client: Callable[..., Client],
    buyer: User,
    package: TokenPackage,
    btcpay: FakeBTCPay,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    from stagedoor.payments.providers import btcpay as module

    monkeypatch.setattr(module, "transport", httpx.MockTransport(lambda request: httpx.Response(503)))
    client = api_client(buyer)
    response = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "btcpay", "idempotency_key": "btc-down-001"},
        content_type="application/json",
    )
    assert response.status_code == 502 and response.json()["code"] == "payments.provider_failed"
    monkeypatch.setattr(module, "transport", httpx.MockTransport(btcpay.handler))
    retry = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "btcpay", "idempotency_key": "btc-down-001"},
        content_type="application/json",
    )
    assert retry.status_code == 201 and retry.json()["checkout_url"].startswith("https://btcpay.example.test/i/")
    assert Purchase.objects.count() == 1
