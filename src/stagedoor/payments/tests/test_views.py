"""The wallet page (balance, packages, purchases, history), where tokens are bought."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.payments.models import Purchase
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.tests.conftest import consent, fund_wallet

pytestmark = pytest.mark.django_db


def test_wallet_page_shows_the_balance_after_a_tip(make_user: Any, api_client: Any) -> None:
    viewer = consent(make_user("viewer"))
    star = consent(make_user("performer", login="stage_star"))
    fund_wallet(viewer, 300)
    wallet_services.tip_send(sender=viewer, performer=star, amount=30, idempotency_key="page-tip-0001")
    page = api_client(viewer).get("/wallet")
    assert page.status_code == 200 and b'data-testid="wallet-balance">270<' in page.content
    assert api_client().get("/wallet").status_code == 302


def test_buy_form_starts_a_sandbox_purchase(make_user: Any, api_client: Any, package: Any, settings: Any) -> None:
    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    viewer = consent(make_user("viewer"))
    client = api_client(viewer)
    reply = client.post("/wallet/buy", {"package_id": package.pk, "provider": "sandbox", "idempotency_key": "buy-0001"})
    purchase = Purchase.objects.get(buyer=viewer)
    assert reply.status_code == 302 and reply["Location"].endswith(f"/pay/sandbox/{purchase.pk}")
    assert purchase.tokens == 100 and purchase.price_minor == 999
    refused = client.post("/wallet/buy", {"package_id": "nope", "provider": "sandbox", "idempotency_key": "buy-0002"})
    assert refused.status_code == 302 and refused["Location"] == "/wallet"
    assert Purchase.objects.filter(buyer=viewer).count() == 1


# --- the purchase status box: live while pending, a way back to the checkout ------------------------


def _pending(buyer: Any, package: Any, settings: Any, key: str = "buy-live-0001") -> Purchase:
    from stagedoor.payments import services as payment_services

    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    return payment_services.purchase_start(buyer=buyer, package_id=package.pk, provider="sandbox", idempotency_key=key)


def test_a_pending_purchase_polls_its_status_and_offers_the_checkout_again(
    buyer: Any, package: Any, api_client: Any, settings: Any
) -> None:
    purchase = _pending(buyer, package, settings)
    client = api_client(buyer)
    page = client.get(f"/wallet?purchase={purchase.pk}").content.decode()
    poll = f'hx-get="/wallet/purchases/{purchase.pk}/status" hx-trigger="every 2s"'
    assert poll in page and "Waiting for the payment processor" in page
    assert f'href="/pay/sandbox/{purchase.pk}" data-testid="return-to-checkout"' in page
    assert f'href="/pay/sandbox/{purchase.pk}" data-testid="purchase-row-checkout"' in page  # in the table too
    assert f'href="/support/new?purchase={purchase.pk}" data-testid="purchase-help"' in page  # a ticket about it
    box = client.get(f"/wallet/purchases/{purchase.pk}/status").content.decode()
    assert poll in box and 'data-status="created"' in box and "hx-swap-oob" not in box


def test_once_paid_the_box_says_so_refreshes_the_balance_and_stops_polling(
    buyer: Any, package: Any, api_client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from stagedoor.payments import services as payment_services

    purchase = _pending(buyer, package, settings)
    with django_capture_on_commit_callbacks(execute=True):  # the sandbox's postback goes out after commit
        payment_services.sandbox_decide(actor=buyer, purchase_id=purchase.pk, decision="approve")
    box = api_client(buyer).get(f"/wallet/purchases/{purchase.pk}/status").content.decode()
    assert "Paid — 100 tokens added." in box and 'data-status="completed"' in box
    assert "hx-trigger" not in box  # final: no more polling
    assert '<span id="wallet-balance" hx-swap-oob="innerHTML">100</span>' in box  # the content: the header mirrors it
    assert '<tbody id="wallet-history-rows" hx-swap-oob="true"><tr>' in box and "+100" in box
    assert (
        f'<td id="purchase-{purchase.pk}-status" data-testid="purchase-row-status" hx-swap-oob="true">Paid</td>' in box
    )


def test_an_abandoned_purchase_stops_polling_but_keeps_the_way_back(
    buyer: Any, package: Any, api_client: Any, settings: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    purchase = _pending(buyer, package, settings)
    Purchase.objects.filter(pk=purchase.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    box = api_client(buyer).get(f"/wallet/purchases/{purchase.pk}/status").content.decode()
    assert "hx-trigger" not in box and "This payment was not finished." in box
    assert f'href="/pay/sandbox/{purchase.pk}" data-testid="return-to-checkout"' in box


def test_the_status_box_is_the_buyers_only(
    buyer: Any, package: Any, api_client: Any, make_user: Any, settings: Any
) -> None:
    purchase = _pending(buyer, package, settings)
    other = consent(make_user("viewer"))
    assert api_client(other).get(f"/wallet/purchases/{purchase.pk}/status").status_code == 404
    assert api_client().get(f"/wallet/purchases/{purchase.pk}/status").status_code == 302
    assert api_client(buyer).get("/wallet/purchases/nope/status").status_code == 404
