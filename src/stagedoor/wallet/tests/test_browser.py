"""In Chromium: buy tokens through the sandbox checkout, tip on the performer's tip page, and watch a
second viewer's room page update the goal."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.conftest import TEST_PASSWORD
from stagedoor.wallet import services
from stagedoor.wallet.tests.conftest import consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    if "/enter" in page.url:  # the age / terms interstitial comes first for a new browser
        page.check("input[name=age_confirmed]")
        page.check("input[name=terms_accepted]")
        page.click("[data-testid=enter-submit]")
        page.wait_for_url(f"{base}/login**")
    page.fill("input[name=login]", name)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/")


def test_buy_tip_and_goal_updates_for_everyone(browser: Any, live_server: Any, make_user: Any, settings: Any) -> None:
    from playwright.sync_api import expect

    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    base = live_server.url
    star = make_user("performer", login="livestar", display_name="Live Star")
    alice = consent(make_user("viewer", login="alice"))
    bob = consent(make_user("viewer", login="bob"))
    finance = make_user("finance")
    services.package_create(actor=finance, name="Starter", tokens=100, price_minor=999, currency="USD")
    services.tip_goal_create(performer=star, title="Dance", target=50)
    services.tip_menu_item_create(performer=star, label="Wave", price=5)
    from stagedoor.rooms.services import room_for_performer

    room_url = f"{base}{room_for_performer(performer=star).url}"

    alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
    try:
        a, b = alice_ctx.new_page(), bob_ctx.new_page()
        errors: list[str] = []
        a.on("pageerror", lambda exc: errors.append(str(exc)))
        b.on("pageerror", lambda exc: errors.append(str(exc)))
        login(a, base, alice.login)
        login(b, base, bob.login)

        # Alice buys 100 tokens through the sandbox processor's hosted page.
        a.goto(f"{base}/wallet")
        expect(a.get_by_test_id("wallet-balance")).to_have_text("0")
        a.get_by_test_id("buy-100").click()
        a.wait_for_url(f"{base}/pay/sandbox/**")
        a.get_by_test_id("sandbox-approve").click()
        a.wait_for_url(f"{base}/wallet?purchase=**")
        expect(a.get_by_test_id("wallet-balance")).to_have_text("100")
        expect(a.get_by_test_id("purchase-status")).to_have_attribute("data-status", "completed")

        # Bob watches the performer's room.
        b.goto(room_url)
        expect(b.get_by_test_id("goal-progress")).to_have_text("0")

        # Alice tips 30 tokens with a message, then 5 from the tip menu.
        a.goto(room_url)
        expect(a.get_by_test_id("tip-balance")).to_have_text("100")
        a.get_by_test_id("tip-amount").fill("30")
        a.get_by_test_id("tip-message").fill("for the dance")
        a.get_by_test_id("tip-send").click()
        expect(a.get_by_test_id("tip-status")).to_have_text("Tipped 30 tokens. Thank you!")
        expect(a.get_by_test_id("tip-balance")).to_have_text("70")
        a.get_by_role("button", name="5 tokens").click()
        expect(a.get_by_test_id("tip-balance")).to_have_text("65")

        # Bob's page picks it up without a reload.
        expect(b.get_by_test_id("goal-progress")).to_have_text("35", timeout=10_000)
        expect(b.get_by_test_id("recent-tips")).to_contain_text("alice tipped 30 — for the dance")

        # Too much is refused with a clear message and costs nothing.
        a.get_by_test_id("tip-amount").fill("1000")
        a.get_by_test_id("tip-send").click()
        expect(a.get_by_test_id("tip-status")).to_have_text("Not enough tokens.")
        expect(a.get_by_test_id("tip-balance")).to_have_text("65")
        assert errors == []
    finally:
        alice_ctx.close()
        bob_ctx.close()
