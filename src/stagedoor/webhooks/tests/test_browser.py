"""In Chromium, on a phone-sized screen: a performer adds a webhook endpoint from the studio (a private address
refused first), copies the secret shown once, sends a test event that the endpoint verifies, and reads the delivery
log. Every page checked: controls labelled, contrast AA, nothing wider than the screen; screenshots go to
test-results/webhooks/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stagedoor.web.tests.a11y import assert_accessible
from stagedoor.web.tests.test_browser_console import _sign_in
from stagedoor.webhooks.models import Delivery
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "webhooks"


def _audit(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")
    assert_accessible(page, where=name)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: wider than {width}px"


def test_a_performer_adds_an_endpoint_and_sends_a_test_event(
    browser: Any, live_server: Any, make_user: Any, receiver: Receiver
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    performer = make_user("performer", mfa=True)
    room_for_performer(performer=performer)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    _sign_in(page, base, performer, next_path="/studio")
    page.get_by_test_id("studio-webhooks-link").click()
    page.wait_for_url(f"{base}/studio/webhooks")
    page.get_by_label("Endpoint URL").fill("http://10.20.30.40/hooks")
    page.get_by_role("checkbox", name="tip.received — A tip was received", exact=True).check()
    page.get_by_test_id("webhook-create").click()
    expect(page.get_by_test_id("error-url")).to_contain_text("private network")
    _audit(page, "webhooks-refused")

    page.get_by_label("Endpoint URL").fill(receiver.url("/studio-hook"))
    page.get_by_test_id("webhook-create").click()
    secret = page.get_by_test_id("webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    receiver.secrets["/studio-hook"] = secret
    _audit(page, "webhooks-created")
    page.get_by_role("link", name="Open the endpoint").click()
    page.get_by_test_id("webhook-test").click()
    expect(page.get_by_test_id("webhook-delivery")).to_have_attribute("data-status", "succeeded")
    [got] = receiver.on("/studio-hook")
    assert got.verified and got.msg_id == Delivery.objects.get().event_id
    _audit(page, "webhooks-endpoint")
    page.get_by_test_id("webhook-delivery").get_by_role("link").click()
    expect(page.get_by_test_id("webhook-attempt")).to_have_attribute("data-outcome", "ok")
    _audit(page, "webhooks-delivery")
    assert errors == []
    context.close()
