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
