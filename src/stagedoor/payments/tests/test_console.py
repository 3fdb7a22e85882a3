"""Staff console sections of payments: refunds (purchases, tips), the postback log, the purchases panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from stagedoor.accounts.models import User
from stagedoor.core.models import AuditEntry
from stagedoor.payments import services
from stagedoor.payments.models import Postback, Purchase
from stagedoor.wallet import codes, selectors
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.models import LedgerTransfer, TokenPackage, TransferKind
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems
from stagedoor.web.tests.console_helpers import client_for, staff

pytestmark = pytest.mark.django_db


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def paid(
    buyer: User,
    package: TokenPackage,
    settings: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> Purchase:
    """A purchase paid through the sandbox processor (its signed postback applied)."""
    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    purchase = services.purchase_start(
        buyer=buyer, package_id=package.pk, provider="sandbox", idempotency_key="console-buy-01"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.sandbox_decide(actor=buyer, purchase_id=purchase.pk, decision="approve")
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.COMPLETED and selectors.wallet_balance(buyer) == 100
    return purchase


# --- refunds ---------------------------------------------------------------------------------


def test_find_and_refund_a_purchase_once(make_user: Any, buyer: User, paid: Purchase) -> None:
    actor, client = staff(make_user, "finance")
    by_login = client.get("/staff/refunds/", {"q": buyer.login})
    assert [p.pk for p in by_login.context["purchases"]] == [paid.pk]
    by_id = client.get("/staff/refunds/", {"q": paid.pk})
    assert [p.pk for p in by_id.context["purchases"]] == [paid.pk]
    assert f'data-testid="refund-purchase-{paid.pk}"' in by_id.content.decode()

    form = {"reason": "Bought by mistake", "q": paid.pk}
    response = client.post(f"/staff/refunds/purchases/{paid.pk}/refund", form, follow=True)
    assert response.redirect_chain == [(f"/staff/refunds/?q={paid.pk}", 302)]
    assert _messages(response) == [f"Purchase {paid.pk} refunded: 100 tokens taken back."]
    paid.refresh_from_db()
    assert paid.status == Purchase.Status.REFUNDED
    assert selectors.wallet_balance(buyer) == 0
    [entry] = _audit(codes.AUDIT_PURCHASE_REFUNDED)
    assert (entry.actor_id, entry.target_id, entry.data) == (
        actor.pk,
        paid.pk,
        {"tokens": 100, "reason": "Bought by mistake"},
    )

    again = client.post(f"/staff/refunds/purchases/{paid.pk}/refund", form, follow=True)  # the double submit
    assert _messages(again) == [f"Purchase {paid.pk} was already refunded; nothing changed."]
    assert LedgerTransfer.objects.filter(kind=TransferKind.PURCHASE_REFUND).count() == 1
    assert len(_audit(codes.AUDIT_PURCHASE_REFUNDED)) == 1
    assert selectors.wallet_balance(buyer) == 0
    assert ledger_problems() == []


def test_a_spent_purchase_is_not_refunded(make_user: Any, buyer: User, paid: Purchase) -> None:
    star = make_user("performer")
    wallet_services.tip_send(sender=buyer, performer=star, amount=60, idempotency_key="tip-spent-01")
    _, client = staff(make_user, "finance")
    response = client.post(f"/staff/refunds/purchases/{paid.pk}/refund", {"reason": "x"}, follow=True)
    assert len(_messages(response)) == 1 and "spent" in _messages(response)[0]
    paid.refresh_from_db()
    assert paid.status == Purchase.Status.COMPLETED
    assert selectors.wallet_balance(buyer) == 40
    assert _audit(codes.AUDIT_PURCHASE_REFUNDED) == []


def test_refund_a_tip_once(make_user: Any) -> None:
    fan = make_user("viewer", login="fan")
    star = make_user("performer", login="star")
    fund_wallet(fan, 100)
    tip = wallet_services.tip_send(sender=fan, performer=star, amount=30, idempotency_key="tip-refund-01")
    actor, client = staff(make_user, "admin")
    found = client.get("/staff/refunds/", {"q": "fan"})
    assert [(line.tip.pk, line.left) for line in found.context["tips"]] == [(tip.pk, 30)]

    response = client.post(f"/staff/refunds/tips/{tip.pk}/refund", {"reason": "Wrong room", "q": "fan"}, follow=True)
    assert _messages(response) == [f"Tip {tip.pk} refunded: 30 tokens back to fan."]
    assert selectors.wallet_balance(fan) == 100
    [entry] = _audit(codes.AUDIT_TIP_REFUNDED)
    assert (entry.actor_id, entry.target_id, entry.data) == (actor.pk, tip.pk, {"amount": 30, "reason": "Wrong room"})
    assert [line.left for line in response.context["tips"]] == [0]

    again = client.post(f"/staff/refunds/tips/{tip.pk}/refund", {"reason": "Wrong room"}, follow=True)
    assert _messages(again) == [f"Tip {tip.pk} was already given back; nothing changed."]
    assert selectors.wallet_balance(fan) == 100
    assert LedgerTransfer.objects.filter(kind=TransferKind.TIP_REFUND).count() == 1
    assert len(_audit(codes.AUDIT_TIP_REFUNDED)) == 1
    assert ledger_problems() == []


def test_refunds_need_a_reason_and_the_permission(make_user: Any, buyer: User, paid: Purchase) -> None:
    _, client = staff(make_user, "finance")
    response = client.post(f"/staff/refunds/purchases/{paid.pk}/refund", {"reason": ""}, follow=True)
    assert _messages(response) == ["Give a reason of 1–200 characters."]
    _, support = staff(make_user, "support_l2")
    assert support.post(f"/staff/refunds/purchases/{paid.pk}/refund", {"reason": "x"}).status_code == 403
    paid.refresh_from_db()
    assert paid.status == Purchase.Status.COMPLETED
    assert selectors.wallet_balance(buyer) == 100
    assert _audit(codes.AUDIT_PURCHASE_REFUNDED) == []
    assert client.post("/staff/refunds/purchases/01AAAAAAAAAAAAAAAAAAAAAAAA/refund", {"reason": "x"}).status_code == 404


# --- the postback log --------------------------------------------------------------------------


def test_postback_log_newest_first_and_filtered(make_user: Any, paid: Purchase) -> None:
    old = timezone.now() - timedelta(days=2)
    Postback.objects.create(provider="verotel", outcome="refused_signature", detail="bad signature", received_at=old)
    _, client = staff(make_user, "finance")
    page = client.get("/staff/postbacks/")
    rows = page.context["rows"]
    assert [(r.provider, r.outcome) for r in rows] == [("sandbox", "applied"), ("verotel", "refused_signature")]
    assert rows[0].purchase_id == paid.pk and rows[0].signature_valid
    html = page.content.decode()
    assert "Refused: bad signature" in html and "Valid" in html and "Invalid" in html
    assert [r.provider for r in client.get("/staff/postbacks/?provider=verotel").context["rows"]] == ["verotel"]
    assert [r.outcome for r in client.get("/staff/postbacks/?outcome=applied").context["rows"]] == ["applied"]
    assert client.get("/staff/postbacks/?outcome=nonsense").context["outcome"] == ""
    assert "None refused in 24 h" in client.get("/staff/").content.decode()
    Postback.objects.create(provider="sandbox", outcome="refused_replay")
    assert 'data-testid="blurb-postbacks">1 refused in 24 h<' in client.get("/staff/").content.decode()


# --- the person page's purchases panel -----------------------------------------------------------


def test_support_sees_the_purchases_of_a_person(make_user: Any, buyer: User, paid: Purchase) -> None:
    client = client_for(make_user("support_l1"))
    page = client.get(f"/staff/users/{buyer.pk}/")
    html = page.content.decode()
    assert 'data-testid="panel-purchases"' in html
    assert 'data-testid="person-purchase" data-status="completed"' in html
    assert "9.99 USD" in html and "refund…" not in html  # support may look, not refund
    finance = client_for(make_user("finance"))
    assert f'href="/staff/refunds/?q={paid.pk}">refund…' in finance.get(f"/staff/users/{buyer.pk}/").content.decode()


def test_postback_log_pages_back(make_user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from stagedoor.payments import console

    monkeypatch.setattr(console, "POSTBACK_PAGE", 2)
    now = timezone.now()
    ids = [
        Postback.objects.create(provider="verotel", outcome="ignored", received_at=now - timedelta(minutes=m)).pk
        for m in range(5)
    ]
    _, client = staff(make_user, "admin")
    seen: list[str] = []
    url = "/staff/postbacks/?provider=verotel"
    while url:
        page = client.get(url)
        seen += [r.pk for r in page.context["rows"]]
        url = "/staff/postbacks/" + page.context["older"] if page.context["older"] else ""
    assert seen == ids
