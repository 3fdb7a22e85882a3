"""Verotel FlexPay: the signed startorder URL and SHA-256 signed GET postbacks, faked at Verotel's side."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django import Settings

from stagedoor.accounts.models import User
from stagedoor.payments.conf import VerotelConfig
from stagedoor.payments.models import Postback, Purchase
from stagedoor.payments.providers import verotel as provider
from stagedoor.payments.tests.conftest import VEROTEL_KEY, VEROTEL_SHOP, FakeVerotel, verotel_url
from stagedoor.wallet import selectors
from stagedoor.wallet.models import TokenPackage
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db


def test_signature_matches_the_documented_scheme() -> None:
    # FlexPay's documented example: sha256 of "aaB:custom1=xyz:custom2=:shopID=123", lower-case hex.
    assert (
        provider.signature("aaB", {"shopID": "123", "custom1": "xyz", "custom2": ""})
        == hashlib.sha256(b"aaB:custom1=xyz:custom2=:shopID=123").hexdigest()
    )


def test_purchase_url_is_signed_over_the_documented_parameters() -> None:
    config = VerotelConfig(shop_id="123", signature_key="aaB", startorder_url="https://secure.verotel.com/startorder")
    url = provider.purchase_url(
        config, {"priceAmount": "9.99", "priceCurrency": "EUR", "description": "100 tokens", "email": "a@b.c"}
    )
    expected = hashlib.sha256(
        b"aaB:description=100 tokens:priceAmount=9.99:priceCurrency=EUR:shopID=123:type=purchase:version=4"
    ).hexdigest()
    assert url == (
        "https://secure.verotel.com/startorder?description=100+tokens&email=a%40b.c&priceAmount=9.99"
        f"&priceCurrency=EUR&shopID=123&signature={expected}&type=purchase&version=4"
    )


def buy(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, verotel: FakeVerotel
) -> tuple[Client, dict[str, str]]:
    client = api_client(buyer)
    response = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "verotel", "idempotency_key": "vt-buy-0001"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    order = verotel.open_order_page(response.json()["checkout_url"])
    assert order["priceAmount"] == "9.99" and order["priceCurrency"] == "USD"
    assert order["referenceID"] == response.json()["id"]
    return client, order


def test_sale_chargeback_and_credit_postbacks(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, verotel: FakeVerotel
) -> None:
    client, order = buy(api_client, buyer, package, verotel)
    sale = verotel.postback(order, sale_id="4711")
    first = client.get(verotel_url(sale))
    assert (first.status_code, first.content) == (200, b"OK")
    assert client.get(verotel_url(sale)).content == b"OK"  # Verotel retries: duplicate, no-op
    assert selectors.wallet_balance(buyer) == 100
    purchase = Purchase.objects.get(pk=order["referenceID"])
    assert (purchase.status, purchase.provider_ref) == ("completed", "4711")

    chargeback = verotel.postback(order, sale_id="4711", event="chargeback")
    assert client.get(verotel_url(chargeback)).content == b"OK"
    buyer.refresh_from_db()
    assert buyer.purchases_locked and selectors.wallet_balance(buyer) == 0
    credit = verotel.postback(order, sale_id="4711", event="credit")
    assert client.get(verotel_url(credit)).content == b"OK"  # already reversed: no-op
    assert list(Postback.objects.order_by("received_at").values_list("outcome", flat=True)) == [
        "applied",
        "duplicate",
        "applied",
        "duplicate",
    ]
    assert ledger_problems() == []


def test_forged_and_mismatched_postbacks_change_nothing(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, verotel: FakeVerotel
) -> None:
    client, order = buy(api_client, buyer, package, verotel)
    forged = verotel.postback(order, sale_id="1")
    forged["priceAmount"] = "0.01"  # changed after signing
    response = client.get(verotel_url(forged))
    assert response.status_code == 403 and response.content.startswith(b"ERROR")
    other_key = type(verotel)(key="someone-elses-key").postback(order, sale_id="2")
    assert client.get(verotel_url(other_key)).status_code == 403
    cheap = verotel.postback(order, sale_id="3", priceAmount="0.99")  # validly signed, wrong amount
    assert client.get(verotel_url(cheap)).status_code == 400
    other_shop = verotel.postback(order, sale_id="4", shopID="99999")
    assert client.get(verotel_url(other_shop)).status_code in (400, 403)
    assert selectors.wallet_balance(buyer) == 0
    assert Purchase.objects.get(pk=order["referenceID"]).status == "created"
    assert set(Postback.objects.values_list("outcome", flat=True)) <= {"refused_signature", "refused_invalid"}


def test_chargeback_before_sale_is_refused_then_retried(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, verotel: FakeVerotel
) -> None:
    client, order = buy(api_client, buyer, package, verotel)
    chargeback = verotel.postback(order, sale_id="77", event="chargeback")
    early = client.get(verotel_url(chargeback))
    assert early.status_code == 409 and early.content.startswith(b"ERROR")
    assert client.get(verotel_url(verotel.postback(order, sale_id="77"))).content == b"OK"
    assert client.get(verotel_url(chargeback)).content == b"OK"
    assert Purchase.objects.get(pk=order["referenceID"]).status == "charged_back"
    assert selectors.wallet_balance(buyer) == 0
    assert ledger_problems() == []


def test_config_comes_from_settings(processors: None, settings: Settings) -> None:
    from stagedoor.payments import conf

    assert conf.verotel() == VerotelConfig(VEROTEL_SHOP, VEROTEL_KEY, "https://secure.verotel.com/startorder")
    assert conf.enabled_providers() == ["sandbox", "verotel", "btcpay"]
