"""In Chromium: a visitor follows a referral link, passes the age gate and signs up; their purchase earns the partner
a commission; the partner's dashboard draws clicks, sign-ups and earnings (read back through `Chart.getChart`) and
passes the accessibility checks."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.accounts.models import User
from stagedoor.affiliates.models import Affiliate, Click, Commission, Referral
from stagedoor.affiliates.tests.conftest import BROWSER_UA
from stagedoor.conftest import TEST_PASSWORD
from stagedoor.core.ids import new_id
from stagedoor.wallet import services as wallet
from stagedoor.wallet.tests.test_browser_studio import DESKTOP, audit, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_referred_sign_up_shows_on_the_partners_dashboard(browser: Any, live_server: Any, partner: Affiliate) -> None:
    partner.links.update(landing="/signup")
    # headless Chromium says "HeadlessChrome" in its user agent, which the click counter rightly takes for a bot
    visitor = browser.new_context(viewport=DESKTOP, user_agent=BROWSER_UA)
    visitor.set_default_timeout(15000)
    page = visitor.new_page()
    try:
        page.goto(f"{live_server.url}/ref/partnerco?sub=br-1")
        page.get_by_label("I am 18 or older").check()
        page.get_by_label("I accept the terms").check()
        page.get_by_test_id("enter-submit").click()
        page.wait_for_url("**/signup")
        page.get_by_label("Email").fill("bea_browser@example.test")
        page.get_by_label("Login").fill("bea_browser")
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_test_id("signup-submit").click()
        page.wait_for_url("**/account")
    finally:
        visitor.close()
    referral = Referral.objects.get()
    assert (referral.user.login, referral.affiliate_id, Click.objects.get().sub_id) == (
        "bea_browser",
        partner.pk,
        "br-1",
    )
    wallet.purchase_credit(
        buyer=User.objects.get(login="bea_browser"),
        tokens=2000,
        purchase_id=new_id(),
        price_minor=1,
        currency="USD",
        provider="sandbox",
    )
    assert Commission.objects.get().tokens == 500

    context, page, errors = signed_in(browser, live_server.url, partner.user, DESKTOP)
    try:
        page.goto(f"{live_server.url}/affiliates?days=7")
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-funnel'))")
        funnel = page.evaluate(
            "() => Chart.getChart(document.getElementById('chart-funnel')).data.datasets"
            ".map(d => [d.label, d.data.reduce((a, b) => a + b, 0)])"
        )
        assert dict(funnel) == {"Clicks": 1, "Sign-ups": 1, "Buyers": 0}  # buyers: from payments' purchases
        earned = page.evaluate(
            "() => Chart.getChart(document.getElementById('chart-aff-earnings')).data.datasets[0].data"
        )
        assert sum(earned) == 500 and earned[-1] == 500
        assert page.get_by_test_id("earnings-maturing").inner_text() == "500"
        page.get_by_text("Referrals as a table").click()
        assert page.get_by_test_id("table-referrals").inner_text().count("500") == 1
        audit(page, "affiliates-dashboard")
        assert errors == []
    finally:
        context.close()
