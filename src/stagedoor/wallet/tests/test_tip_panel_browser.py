"""In Chromium: the room's tip panel never tips twice for one click (issue 19). A lost answer and a 503 are
retried with the same idempotency key (the server answers the tip it charged), a double click sends one tip,
and a 4xx is shown, not retried."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.wallet import selectors
from stagedoor.wallet.models import Tip
from stagedoor.wallet.tests.conftest import consent, fund_wallet
from stagedoor.wallet.tests.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_retries_reuse_the_key_and_one_click_is_one_tip(
    browser: Any, live_server: Any, make_user: Any, settings: Any
) -> None:
    from playwright.sync_api import Route, expect

    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    star = make_user("performer", login="panelstar")
    fan = consent(make_user("viewer", login="panelfan"))
    fund_wallet(fan, 100)
    room_url = f"{base}{room_for_performer(performer=star).url}"
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        login(page, base, fan.login)
        page.goto(room_url)
        expect(page.get_by_test_id("tip-balance")).to_have_text("100")
        attempts: list[tuple[str, int]] = []
        plan: list[str] = []

        def on_tip(route: Route) -> None:
            key = route.request.headers.get("idempotency-key", "")
            action = plan.pop(0) if plan else "pass"
            if action == "lose":  # the tip reaches the server, its answer never reaches the page
                response = route.fetch()
                attempts.append((key, response.status))
                route.abort("connectionreset")
            elif action == "503":  # a proxy in front of us fails before the server sees it
                attempts.append((key, 503))
                route.fulfill(status=503, json={"code": "unavailable", "message": "Try again."})
            else:
                response = route.fetch()
                attempts.append((key, response.status))
                route.fulfill(response=response)

        page.route("**/api/v1/tips", on_tip)

        # 1. the answer is lost, then a 503: the third attempt with the same key gets the tip it charged
        plan[:] = ["lose", "503"]
        page.get_by_test_id("tip-amount").fill("10")
        page.get_by_test_id("tip-send").click()
        expect(page.get_by_test_id("tip-status")).to_have_text("Tipped 10 tokens. Thank you!", timeout=15_000)
        assert [status for _, status in attempts] == [201, 503, 201]
        assert len({key for key, _ in attempts}) == 1
        assert Tip.objects.count() == 1 and selectors.wallet_balance(fan) == 90
        expect(page.get_by_test_id("tip-balance")).to_have_text("90")

        # 2. a double click while the first is on its way: one tip
        attempts.clear()
        page.get_by_test_id("tip-amount").fill("5")
        page.get_by_test_id("tip-send").dblclick()
        expect(page.get_by_test_id("tip-status")).to_have_text("Tipped 5 tokens. Thank you!")
        assert [status for _, status in attempts] == [201]
        assert Tip.objects.count() == 2 and selectors.wallet_balance(fan) == 85

        # 3. a 4xx is the answer: shown once, not retried, nothing charged
        attempts.clear()
        page.get_by_test_id("tip-amount").fill("1000")
        page.get_by_test_id("tip-send").click()
        expect(page.get_by_test_id("tip-status")).to_have_text("Not enough tokens.")
        assert [status for _, status in attempts] == [402]
        assert Tip.objects.count() == 2 and selectors.wallet_balance(fan) == 85
        assert errors == []
    finally:
        context.close()
