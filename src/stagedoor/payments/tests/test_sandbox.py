"""The sandbox processor end to end: checkout page → signed postback → tokens credited exactly once;
forged, replayed, duplicated and out-of-order postbacks are refused or no-ops, and logged."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.conf import settings
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from stagedoor.accounts.models import User
from stagedoor.payments.models import Postback, Purchase
from stagedoor.payments.providers import sandbox
from stagedoor.wallet import selectors
from stagedoor.wallet.models import TokenPackage
from stagedoor.wallet.tests.conftest import ledger_problems

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/postback/sandbox"


def start(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, key: str = "buy-key-0001"
) -> tuple[Client, dict[str, Any]]:
    client = api_client(buyer)
    response = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "provider": "sandbox", "idempotency_key": key},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return client, response.json()


def post(client: Client, body: bytes, *, timestamp: int | None = None, signature: str | None = None) -> TestResponse:
    header = signature or sandbox.sign(body, timestamp=timestamp or int(time.time()))
    return client.post(URL, body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=header)


def test_buy_through_the_checkout_page(
    api_client: Callable[..., Client],
    buyer: User,
    package: TokenPackage,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client, purchase = start(api_client, buyer, package)
    assert purchase["checkout_url"] == f"{settings.STAGEDOOR.base_url}/pay/sandbox/{purchase['id']}"  # absolute
    assert (purchase["tokens"], purchase["price_minor"], purchase["currency"], purchase["status"]) == (
        100,
        999,
        "USD",
        "created",
    )
    page = client.get(purchase["checkout_url"])
    assert page.status_code == 200 and b"Approve payment" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(purchase["checkout_url"], {"decision": "approve"})
    assert response.status_code == 302 and response["Location"] == f"/wallet?purchase={purchase['id']}"
    assert Purchase.objects.get(pk=purchase["id"]).status == "completed"
    assert selectors.wallet_balance(buyer) == 100
    applied = Postback.objects.get(outcome="applied")
    assert applied.signature_valid and applied.event == "payment.approved"
    # the same idempotency key returns the same purchase; another package with it is a conflict
    again = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "idempotency_key": "buy-key-0001"},
        content_type="application/json",
    )
    assert again.json()["id"] == purchase["id"]
    assert ledger_problems() == []


def test_decline_then_chargeback_locks_buyer(
    api_client: Callable[..., Client],
    buyer: User,
    package: TokenPackage,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    client, purchase = start(api_client, buyer, package)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(purchase["checkout_url"], {"decision": "approve"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(purchase["checkout_url"], {"decision": "chargeback"})
    buyer.refresh_from_db()
    assert buyer.purchases_locked
    assert Purchase.objects.get(pk=purchase["id"]).status == "charged_back"
    assert selectors.wallet_balance(buyer) == 0
    refused = client.post(
        "/api/v1/purchases",
        {"package_id": package.pk, "idempotency_key": "after-lock-01"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "wallet.purchases_locked"
    assert Purchase.objects.count() == 1


def test_forged_replayed_duplicated_and_out_of_order(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage
) -> None:
    client, purchase = start(api_client, buyer, package)
    row = Purchase.objects.get(pk=purchase["id"])
    approved, _ = sandbox.build_postback(row, "payment.approved")
    chargeback, _ = sandbox.build_postback(row, "payment.chargeback")

    # forged: signed with another secret, or the body changed after signing
    forged = sandbox.sign(approved, timestamp=int(time.time()), secret=b"not-the-secret")
    assert post(client, approved, signature=forged).status_code == 403
    tampered = approved.replace(b'"amount_minor":999', b'"amount_minor":1')
    header = sandbox.sign(approved, timestamp=int(time.time()))
    assert post(client, tampered, signature=header).status_code == 403
    # replayed: a correctly signed postback from ten minutes ago
    assert post(client, approved, timestamp=int(time.time()) - 600).status_code == 400
    assert selectors.wallet_balance(buyer) == 0

    # out of order: the chargeback arrives before the payment — refused so the processor retries it
    assert post(client, chargeback).status_code == 409
    assert selectors.wallet_balance(buyer) == 0

    assert post(client, approved).status_code == 200
    assert post(client, approved).status_code == 200  # duplicate delivery: no-op
    assert selectors.wallet_balance(buyer) == 100

    assert post(client, chargeback).status_code == 200  # the retried chargeback now applies
    assert selectors.wallet_balance(buyer) == 0
    stale_approval, _ = sandbox.build_postback(row, "payment.approved")
    assert post(client, stale_approval).status_code == 200  # a late approval after the chargeback is ignored
    assert selectors.wallet_balance(buyer) == 0

    outcomes = list(Postback.objects.order_by("received_at").values_list("outcome", flat=True))
    assert outcomes == [
        "refused_signature",
        "refused_signature",
        "refused_replay",
        "refused_out_of_order",
        "applied",
        "duplicate",
        "applied",
        "ignored",
    ]
    assert ledger_problems() == []


def test_amount_mismatch_with_valid_signature_is_refused(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage
) -> None:
    client, purchase = start(api_client, buyer, package)
    row = Purchase.objects.get(pk=purchase["id"])
    body, _ = sandbox.build_postback(row, "payment.approved")
    payload = json.loads(body)
    payload["data"]["amount_minor"] = 1
    response = post(client, json.dumps(payload).encode())
    assert response.status_code == 400
    assert selectors.wallet_balance(buyer) == 0
    assert Postback.objects.get().outcome == "refused_invalid"


def test_sandbox_page_is_only_for_the_buyer(
    api_client: Callable[..., Client], buyer: User, package: TokenPackage, make_user: Callable[..., Any]
) -> None:
    _client, purchase = start(api_client, buyer, package)
    from stagedoor.wallet.tests.conftest import consent

    other = api_client(consent(make_user("viewer")))
    assert other.get(purchase["checkout_url"]).status_code == 404
    assert other.post(purchase["checkout_url"], {"decision": "approve"}).status_code == 404
    assert Purchase.objects.get(pk=purchase["id"]).status == "created"
