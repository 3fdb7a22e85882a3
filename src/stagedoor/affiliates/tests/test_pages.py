"""What people see: a performer opens their own referral account; the dashboard's figures; the staff console
releases and voids held commissions (audited); privacy export and erasure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.affiliates import services
from stagedoor.affiliates.models import Affiliate, Commission, Referral
from stagedoor.core.models import AuditEntry
from stagedoor.core.privacy_registry import EraseContext, erasers, exporters
from stagedoor.payments.models import Purchase
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def test_a_performer_opens_a_referral_account_under_the_performers_plan(
    make_user: Callable[..., Any], finance: Any
) -> None:
    performer = make_user("performer", login="pia_perf")
    client = client_for(performer)
    assert 'data-testid="affiliates-open"' not in client.get("/affiliates").content.decode()  # no plan yet
    refused = client.post("/affiliates/open", follow=True)
    assert "Performer referrals are not open yet" in refused.content.decode()
    assert not Affiliate.objects.exists()
    services.plan_create(actor=finance, name="Bring a performer", kind="cpa", cpa_tokens=1000, for_performers=True)
    page = client.get("/affiliates").content.decode()
    assert "1000 tokens on the first purchase" in page and 'data-testid="affiliates-open"' in page
    client.post("/affiliates/open")
    affiliate = Affiliate.objects.get()
    assert (affiliate.kind, affiliate.plan.name, affiliate.links.get().landing) == (
        "performer",
        "Bring a performer",
        "/signup",
    )
    assert 'data-testid="affiliate-link"' in client.get("/affiliates").content.decode()
    viewer = client_for(make_user("viewer"))
    viewer.post("/affiliates/open")
    assert Affiliate.objects.count() == 1


def test_the_dashboard_counts_clicks_sign_ups_buyers_and_earnings(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str]
) -> None:
    viewer = referred("partnerco", "dana_dash")
    purchase = buy(viewer, 1000)
    Purchase.objects.create(  # the payments row the wallet's credit stands for (buyers are counted from purchases)
        id=purchase,
        buyer=viewer,
        tokens=1000,
        price_minor=10000,
        currency="USD",
        provider="sandbox",
        status="completed",
        idempotency_key=f"purchase:{viewer.pk}:dash-1",
        request_hash="x",
        completed_at=Commission.objects.get().created_at,
    )
    page = client_for(partner.user).get("/affiliates?days=7")
    board = page.context["board"]
    assert (board.days, board.totals) == (7, {"clicks": 1, "signups": 1, "buyers": 1, "earnings": 250})
    assert board.rows()[-1][1:] == [1, 1, 1, 250]
    html = page.content.decode()
    assert 'data-testid="total-earnings">250<' in html and 'id="affiliate-data"' in html


def test_staff_release_and_void_from_the_console(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], finance: Any, make_user: Any
) -> None:
    viewer = referred("partnerco", "cole_console")
    Referral.objects.update(hold=Referral.Hold.NETWORK_BURST)
    buy(viewer, 1000)
    buy(viewer, 400)
    first, second = Commission.objects.order_by("created_at")
    client = client_for(finance)
    page = client.get("/staff/affiliates/").content.decode()
    assert page.count('data-testid="held-commission"') == 2
    client.post(f"/staff/affiliates/commissions/{first.pk}/release", {"note": "checked"})
    client.post(f"/staff/affiliates/commissions/{second.pk}/void", {"reason": ""})  # refused: a reason is needed
    assert dict(Commission.objects.values_list("pk", "status")) == {first.pk: "accrued", second.pk: "held"}
    client.post(f"/staff/affiliates/commissions/{second.pk}/void", {"reason": "bot network"})
    assert Commission.objects.get(pk=second.pk).status == "voided"
    assert list(
        AuditEntry.objects.filter(action__startswith="affiliates.commission_").values_list("action", "actor_id")
    ) == [
        ("affiliates.commission_released", str(finance.pk)),
        ("affiliates.commission_voided", str(finance.pk)),
    ]
    # support cannot open the section, let alone act
    support = client_for(make_user("support_l2"))
    assert support.get("/staff/affiliates/").status_code == 403
    client.post("/staff/affiliates/plans", {"name": "Sneaky", "kind": "cpa", "cpa_tokens": "0", "window_days": "30"})
    assert not partner.plan.__class__.objects.filter(name="Sneaky").exists()


def test_privacy_export_and_erasure(partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str]) -> None:
    viewer = referred("partnerco", "ezra_erase")
    buy(viewer, 1000)
    services.affiliate_postback_set(affiliate=partner, postback_url="https://tracker.example/pb")
    mine = exporters()["affiliates"](partner.user)
    assert [c["tokens"] for c in mine["commissions"]] == [250] and mine["referral_account"][0]["postback_url"]
    theirs = exporters()["affiliates"](viewer)
    assert [r["affiliate_id"] for r in theirs["referred_by"]] == [partner.pk] and "commissions" not in theirs
    result = erasers()["affiliates"](EraseContext(user=partner.user, tombstone="erased_x"))
    affiliate = Affiliate.objects.get()
    assert (affiliate.postback_url, affiliate.postback_secret) == ("", "")
    assert [(k.what, k.count) for k in result.kept] == [("affiliate commissions", 1)]
    erasers()["affiliates"](EraseContext(user=viewer, tombstone="erased_y"))
    referral = Referral.objects.get()
    assert (referral.address_key, referral.device_key, referral.network_key) == ("", "", "")
    assert Commission.objects.get().tokens == 250  # a financial record, kept
