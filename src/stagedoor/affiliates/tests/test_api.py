"""The affiliates API: a referrer's own account, links and postback settings; staff plans, affiliates and held
commissions. Refusals change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.affiliates.models import Affiliate, Commission, CommissionPlan, Referral, ReferralLink
from stagedoor.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_my_referral_account(
    partner: Affiliate, referred: Callable[..., Any], buy: Callable[..., str], api_client: Callable[..., Any]
) -> None:
    buy(referred("partnerco", "amy_api"), 1000)
    body = api_client(partner.user).get("/api/v1/affiliates/me").json()
    assert (body["plan"], body["terms"], body["window_days"], body["attribution"]) == (
        "Revenue 25",
        "25% of purchases for 3 months",
        30,
        "last_click",
    )
    assert body["earnings"] == {
        "accrued": 250,
        "maturing": 250,
        "payable": 0,
        "held": 0,
        "voided": 0,
        "ledger_balance": 250,
    }
    assert body["totals"] == {"days": 30, "clicks": 1, "signups": 1, "buyers": 0, "earnings": 250}
    assert [(link["code"], link["clicks"]) for link in body["links"]] == [("partnerco", 1)]
    assert body["links"][0]["url"].endswith("/ref/partnerco")


def test_someone_without_a_referral_account(make_user: Callable[..., Any], api_client: Callable[..., Any]) -> None:
    response = api_client(make_user()).get("/api/v1/affiliates/me")
    assert response.status_code == 404 and response.json()["code"] == "affiliates.not_an_affiliate"


def test_links_and_postback_settings_refuse_bad_input_and_change_nothing(
    partner: Affiliate, api_client: Callable[..., Any]
) -> None:
    client = api_client(partner.user)
    made = client.post(
        "/api/v1/affiliates/me/links",
        {"code": "summer-sale", "landing": "/r/somebody"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["code"] == "summer-sale"
    for payload, code in [
        ({"code": "summer-sale"}, "affiliates.code_taken"),
        ({"code": "UP"}, "affiliates.invalid_link"),
        ({"landing": "https://elsewhere.example/"}, "affiliates.invalid_link"),
        ({"landing": "//elsewhere.example/"}, "affiliates.invalid_link"),
    ]:
        response = client.post("/api/v1/affiliates/me/links", payload, content_type="application/json")
        assert response.json()["code"] == code, payload
    assert sorted(ReferralLink.objects.values_list("code", flat=True)) == ["partnerco", "summer-sale"]
    secret = Affiliate.objects.get().postback_secret
    bad = client.put(
        "/api/v1/affiliates/me/postback", {"postback_url": "ftp://tracker.example/"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["code"] == "affiliates.invalid_postback_url"
    assert (Affiliate.objects.get().postback_url, Affiliate.objects.get().postback_secret) == ("", secret)
    good = client.put(
        "/api/v1/affiliates/me/postback",
        {"postback_url": "https://tracker.example/pb", "rotate_secret": True},
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json()["postback_url"] == "https://tracker.example/pb"
    assert Affiliate.objects.get().postback_secret not in ("", secret)


def test_staff_plans_affiliates_and_held_commissions(
    partner: Affiliate,
    finance: Any,
    make_user: Callable[..., Any],
    referred: Callable[..., Any],
    buy: Callable[..., str],
    api_client: Callable[..., Any],
) -> None:
    client = api_client(finance)
    bad = client.post(
        "/api/v1/staff/affiliates/plans",
        {"name": "Greedy", "kind": "revshare", "share_bp": 12000, "months": 3},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["extra"]["fields"] == {"share_bp": ["1–10000 basis points."]}
    assert not CommissionPlan.objects.filter(name="Greedy").exists()
    plan = client.post(
        "/api/v1/staff/affiliates/plans",
        {"name": "Performers", "kind": "cpa", "cpa_tokens": 500, "window_days": 60, "for_performers": True},
        content_type="application/json",
    )
    assert plan.status_code == 201 and plan.json()["terms"] == "500 tokens on the first purchase"
    newcomer = make_user(login="newco")
    created = client.post(
        "/api/v1/staff/affiliates",
        {"user_id": newcomer.pk, "plan_id": plan.json()["id"], "code": "newco-1"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["codes"] == ["newco-1"]
    twice = client.post(
        "/api/v1/staff/affiliates",
        {"user_id": newcomer.pk, "plan_id": plan.json()["id"]},
        content_type="application/json",
    )
    assert twice.status_code == 409 and twice.json()["code"] == "affiliates.already_affiliate"
    assert AuditEntry.objects.filter(action="affiliates.affiliate_created").count() == 2  # the fixture's and this one

    buy(referred("partnerco", "holly_api"), 1000)
    Commission.objects.update(status="held", reason="manual check")
    Referral.objects.update(hold="device_burst")
    held = client.get("/api/v1/staff/affiliates/commissions/held").json()
    assert [(c["tokens"], c["reason"]) for c in held] == [(250, "manual check")]
    released = client.post(
        f"/api/v1/staff/affiliates/commissions/{held[0]['id']}/release", {"note": "ok"}, content_type="application/json"
    )
    assert released.status_code == 200 and released.json()["status"] == "accrued"
    again = client.post(
        f"/api/v1/staff/affiliates/commissions/{held[0]['id']}/release", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "affiliates.commission_not_held"
    voided = client.post(
        f"/api/v1/staff/affiliates/commissions/{held[0]['id']}/void",
        {"reason": "after all"},
        content_type="application/json",
    )
    assert voided.status_code == 200 and voided.json()["reversal_id"] != ""
