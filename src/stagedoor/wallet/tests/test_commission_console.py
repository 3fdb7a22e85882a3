"""The staff console's commission section: list, create, end (finance and admin only), and in a real browser."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from stagedoor.conftest import TEST_PASSWORD
from stagedoor.core.models import AuditEntry
from stagedoor.wallet import codes, services
from stagedoor.wallet.models import CommissionRule
from stagedoor.web.tests.console_helpers import client_for, staff


@pytest.mark.django_db
def test_finance_creates_and_ends_a_rule_in_the_console(make_user: Any) -> None:
    actor, client = staff(make_user, "finance")
    performer = make_user("performer", login="nova")
    page = client.get("/staff/commission/")
    assert page.status_code == 200
    assert "No rules: every performer gets the configured default share." in page.content.decode()
    response = client.post(
        "/staff/commission/",
        {"rule-kind": "performer_override", "rule-share_percent": "62.5", "rule-performer": "nova", "rule-note": "vip"},
        follow=True,
    )
    [rule] = CommissionRule.objects.all()
    assert (rule.kind, rule.share_bp, rule.performer_id, rule.created_by_id) == (
        "performer_override",
        6250,
        performer.pk,
        actor.pk,
    )
    html = response.content.decode()
    assert f'data-testid="rule-{rule.pk}"' in html and "In force" in html
    client.post(f"/staff/commission/{rule.pk}/end/", follow=True)
    rule.refresh_from_db()
    assert rule.valid_to is not None
    assert AuditEntry.objects.filter(action=codes.AUDIT_COMMISSION_ENDED, target_id=rule.pk).count() == 1
    again = client.post(f"/staff/commission/{rule.pk}/end/", follow=True)
    assert "That commission rule has already ended." in again.content.decode()


@pytest.mark.django_db
def test_console_form_errors_change_nothing(make_user: Any) -> None:
    _actor, client = staff(make_user, "finance")
    response = client.post("/staff/commission/", {"rule-kind": "tier", "rule-share_percent": "60"})
    assert response.status_code == 400
    assert "Use a whole number from 0 to 1000000000000." in response.content.decode()
    response = client.post(
        "/staff/commission/", {"rule-kind": "performer_override", "rule-share_percent": "60", "rule-performer": "x"}
    )
    assert response.status_code == 400 and "Nobody has that login or id." in response.content.decode()
    assert not CommissionRule.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["support_l2", "moderator", "compliance"])
def test_other_staff_cannot_open_the_section(make_user: Any, role: str) -> None:
    user = make_user(role)
    response = client_for(user).get("/staff/commission/")
    assert response.status_code in (403, 404)
    finance = make_user("finance")
    rule = services.commission_rule_create(actor=finance, kind="default", share_bp=6000)
    client_for(user).post(f"/staff/commission/{rule.pk}/end/")
    rule.refresh_from_db()
    assert rule.valid_to is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_commission_page_in_a_browser(browser: Any, live_server: Any, make_user: Any) -> None:
    from stagedoor.web.tests.a11y import assert_accessible, watch_console

    finance = make_user("finance", login="fiona")
    services.commission_rule_create(actor=finance, kind="tier", share_bp=6000, min_earned=1000)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    console = watch_console(page)
    base = live_server.url
    page.goto(f"{base}/login?next=/staff/commission/")
    if "/enter" in page.url:
        page.check("input[name=age_confirmed]")
        page.check("input[name=terms_accepted]")
        page.click("[data-testid=enter-submit]")
    page.wait_for_url(f"{base}/login?next=**")
    page.get_by_label("Login or e-mail").fill(finance.login)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    if finance.totp_secret:
        page.wait_for_url(f"{base}/login/2fa")
        page.get_by_label("Code").fill(pyotp.TOTP(finance.totp_secret).now())
        page.click("[data-testid=otp-submit]")
    page.wait_for_url(f"{base}/staff/commission/")
    page.get_by_label("Kind").select_option("product")
    page.get_by_label("Performer's share (%)").fill("70")
    page.get_by_label("Product").select_option("shows")
    page.click("[data-testid=commission-create-submit]")
    page.wait_for_selector("text=created.")
    rows = page.locator("[data-testid=commission-rules] tbody tr")
    assert rows.count() == 2
    assert "Private and ticket shows" in rows.first.inner_text()
    assert_accessible(page, console, where="commission rules")
    context.close()
    assert CommissionRule.objects.filter(kind="product", product="shows", share_bp=7000).count() == 1
