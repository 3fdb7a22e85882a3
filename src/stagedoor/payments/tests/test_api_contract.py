"""Purchases and postbacks as a real client and a real processor see them (issue 19): retries answer the
purchase they started whatever changed since, the key lives in one place, the outcome can be looked up by
key, `checkout_url` is absolute, and every postback answer says `applied` or `duplicate` (still 200) in the
`X-Stagedoor-Postback` header without breaking the processor's own body format."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from stagedoor.accounts.models import User
from stagedoor.payments.models import Postback, Purchase
from stagedoor.payments.providers import sandbox
from stagedoor.payments.tests.conftest import FakeBTCPay, FakeVerotel, verotel_url
from stagedoor.wallet import selectors, services
from stagedoor.wallet.models import TokenPackage
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db
HEADER = "X-Stagedoor-Postback"


def start(client: Client, package: TokenPackage, key: str = "buy-retry-0001", provider: str = "sandbox") -> Any:
    return client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": provider},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.parametrize("change", ["off_sale", "price", "tokens"])
def test_purchase_retry_after_the_package_changed_answers_the_same_purchase(
    api_client: Callable[..., Client],
    buyer: User,
    package: TokenPackage,
    make_user: Callable[..., Any],
    change: str,
) -> None:
    client = api_client(buyer)
    first = start(client, package)
    assert first.status_code == 201, first.content
    edits: dict[str, dict[str, Any]] = {
        "off_sale": {"active": False},
        "price": {"price_minor": 1999},
        "tokens": {"tokens": 5},
    }
    edit = edits[change]
    services.package_update(actor=make_user("finance"), package_id=package.pk, **edit)
    retry = start(client, package)
    assert retry.status_code == 201, retry.content
    assert retry.json() == first.json()
    assert Purchase.objects.count() == 1
    other = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "sandbox", "idempotency_key": "buy-retry-0001", "extra": 1},
        content_type="application/json",
    )
    assert other.status_code == 201  # unknown fields are ignored; the request is the same
    conflict = client.post(
        "/api/v1/purchases",
        {"package_id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ", "idempotency_key": "buy-retry-0001"},
        content_type="application/json",
    )
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency.key_reused"


def test_purchase_key_in_one_place_and_outcome_by_key(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, make_user: Callable[..., Any]
) -> None:
    client = api_client(buyer)
    mismatch = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "idempotency_key": "buy-body-0001"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="buy-head-0001",
    )
    assert mismatch.status_code == 422 and mismatch.json()["code"] == "idempotency.key_mismatch"
    assert not Purchase.objects.exists()
    assert client.get("/api/v1/purchases/by-key/buy-lost-0001").status_code == 404
    started = start(client, package, key="buy-lost-0001")
    found = client.get("/api/v1/purchases/by-key/buy-lost-0001")
    assert found.status_code == 200 and found.json() == started.json()
    for other in (make_user("viewer"), make_user("finance"), make_user("admin")):
        response = api_client(other).get("/api/v1/purchases/by-key/buy-lost-0001")
        assert response.status_code == 404 and response.json()["code"] == "payments.purchase_not_found"


def test_checkout_url_is_absolute_everywhere(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage
) -> None:
    client = api_client(buyer)
    purchase = start(client, package).json()
    expected = f"{settings.STAGEDOOR.base_url}/pay/sandbox/{purchase['id']}"
    assert purchase["checkout_url"] == expected
    assert client.get(f"/api/v1/purchases/{purchase['id']}").json()["checkout_url"] == expected
    assert client.get("/api/v1/purchases").json()[0]["checkout_url"] == expected
    assert client.get("/api/v1/purchases/by-key/buy-retry-0001").json()["checkout_url"] == expected


def test_sandbox_postback_says_applied_then_duplicate(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage
) -> None:
    client = api_client(buyer)
    purchase = Purchase.objects.get(pk=start(client, package).json()["id"])
    body, headers = sandbox.build_postback(purchase, "payment.approved")
    answers = [
        client.post(
            "/api/v1/payments/postback/sandbox",
            body,
            content_type="application/json",
            HTTP_SANDBOX_SIGNATURE=headers["Sandbox-Signature"],
        )
        for _ in range(2)
    ]
    assert [(a.status_code, a[HEADER], a.json()) for a in answers] == [
        (200, "applied", {"ok": True, "message": "", "outcome": "applied"}),
        (200, "duplicate", {"ok": True, "message": "", "outcome": "duplicate"}),
    ]
    forged = client.post(
        "/api/v1/payments/postback/sandbox", body, content_type="application/json", HTTP_SANDBOX_SIGNATURE="t=1,v1=00"
    )
    assert (forged.status_code, forged[HEADER]) == (403, "refused_signature")
    assert selectors.wallet_balance(buyer) == 100


def test_verotel_still_gets_its_plain_ok_and_the_outcome_is_in_the_header(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, verotel: FakeVerotel
) -> None:
    client = api_client(buyer)
    response = start(client, package, provider="verotel")
    order = verotel.open_order_page(response.json()["checkout_url"])
    sale = verotel.postback(order, sale_id="4712")
    first, again = client.get(verotel_url(sale)), client.get(verotel_url(sale))
    assert (first.status_code, first.content, first["Content-Type"], first[HEADER]) == (
        200,
        b"OK",
        "text/plain",
        "applied",
    )
    assert (again.status_code, again.content, again[HEADER]) == (200, b"OK", "duplicate")
    assert selectors.wallet_balance(buyer) == 100


def test_btcpay_delivery_outcome(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, btcpay: FakeBTCPay
) -> None:
    client = api_client(buyer)
    start(client, package, provider="btcpay")
    invoice_id = next(iter(btcpay.invoices))
    body, sig = btcpay.webhook(invoice_id, "InvoiceSettled")
    answers = [
        client.post("/api/v1/payments/postback/btcpay", body, content_type="application/json", HTTP_BTCPAY_SIG=sig)
        for _ in range(2)
    ]
    assert [(a.status_code, a[HEADER], a.json()["outcome"]) for a in answers] == [
        (200, "applied", "applied"),
        (200, "duplicate", "duplicate"),
    ]


def test_signed_postback_with_duplicate_keys_is_refused(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage
) -> None:
    client = api_client(buyer)
    purchase = Purchase.objects.get(pk=start(client, package).json()["id"])
    body, _ = sandbox.build_postback(purchase, "payment.approved")
    doubled = body[:-1] + b',"type":"payment.declined"}'
    assert json.loads(doubled)["type"] == "payment.declined"  # what "last one wins" would read
    response = client.post(
        "/api/v1/payments/postback/sandbox",
        doubled,
        content_type="application/json",
        HTTP_SANDBOX_SIGNATURE=sandbox.sign(doubled, timestamp=int(time.time())),
    )
    assert (response.status_code, response[HEADER]) == (400, "refused_invalid")
    assert Purchase.objects.get(pk=purchase.pk).status == "created"
    assert Postback.objects.get().outcome == "refused_invalid"


def test_staff_refund_retry_answers_the_refund(
    api_client: Callable[..., Client],
    buyer: User,
    package: TokenPackage,
    make_user: Callable[..., Any],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client = api_client(buyer)
    purchase = start(client, package).json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pay/sandbox/{purchase['id']}", {"decision": "approve"})
    assert selectors.wallet_balance(buyer) == 100
    staff = api_client(make_user("finance"))
    url = f"/api/v1/staff/purchases/{purchase['id']}/refund"
    first = staff.post(url, {"reason": "asked by the buyer"}, content_type="application/json")
    again = staff.post(url, {"reason": "asked by the buyer"}, content_type="application/json")
    assert first.status_code == again.status_code == 200, again.content
    assert first.json() == again.json() and first.json()["status"] == "refunded"
    assert selectors.wallet_balance(buyer) == 0
    assert ledger_problems() == []
