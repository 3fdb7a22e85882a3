"""In Chromium: a viewer asks for a private show from the room page, the performer accepts in the studio, the
viewer's show page turns live on its own and sends heartbeats, the low-funds warning appears when the wallet
runs low, and the page shows the drop when the funds run out. Every page checked for labels, contrast and
console errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.shows import services
from stagedoor.shows.models import Participant, Show
from stagedoor.shows.tests.conftest import make_due
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.wallet.tests.test_browser_studio import signed_in
from stagedoor.web.tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "shows"
DESKTOP = {"width": 1280, "height": 800}


def audit(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")
    assert_accessible(page, where=name)


def _wait(condition: Any, *, seconds: float = 15) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_private_show_from_request_to_drop(browser: Any, live_server: Any, make_user: Any, chat_gateway: Any) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    star = make_user("performer", login="show_star", display_name="Show Star")
    room = room_for_performer(performer=star)
    viewer = make_user("viewer", login="paula")
    fund_wallet(viewer, 130)  # minute 1 and minute 2, then 10 tokens: warned, then dropped

    vctx, vpage, verrors = signed_in(browser, base, viewer, DESKTOP)
    pctx, ppage, perrors = signed_in(browser, base, star, DESKTOP)
    try:
        vpage.goto(f"{base}{room.url}")
        expect(vpage.get_by_test_id("show-card")).to_be_visible()
        audit(vpage, "room-card")
        vpage.get_by_test_id("show-request-private").click()
        expect(vpage.get_by_test_id("show-status")).to_have_text("Requested")
        show = Show.objects.get()
        audit(vpage, "show-requested")

        ppage.goto(f"{base}/studio")
        expect(ppage.get_by_test_id("studio-requests")).to_contain_text("paula")
        audit(ppage, "studio-shows")
        ppage.get_by_test_id("request-accept").click()
        expect(ppage.get_by_test_id("show-status")).to_have_text("Live")
        audit(ppage, "show-performer")

        # the viewer's page notices by itself, then keeps the seat alive
        expect(vpage.get_by_test_id("show-status")).to_have_text("Live", timeout=15000)
        expect(vpage.locator("[data-sd-stage]")).to_be_visible()  # the live video card (no SFU here: it waits)
        seat = Participant.objects.get(show=show)
        before = timezone.now()
        _wait(lambda: (Participant.objects.get(pk=seat.pk).last_seen or before) > before)
        expect(vpage.get_by_test_id("low-funds")).to_be_hidden()

        make_due(seat)
        assert services.bill_due().charged == [(seat.pk, 2)]
        expect(vpage.get_by_test_id("low-funds")).to_be_visible(timeout=10000)
        expect(vpage.get_by_test_id("seat-minutes")).to_have_text("2")
        audit(vpage, "show-low-funds")

        # Short of minute 3, the seat keeps minute 2 to its end; then it is dropped.
        make_due(seat)
        assert services.bill_due().short == [seat.pk]
        make_due(seat, seconds_left=-0.5)
        assert services.bill_due().dropped == [seat.pk]
        expect(vpage.get_by_test_id("seat-status")).to_have_text("Dropped (funds ran out)", timeout=10000)
        vpage.get_by_test_id("statement-link").click()
        expect(vpage.get_by_test_id("statement-total")).to_have_text("120")
        audit(vpage, "statement")
        errors = verrors + perrors
        assert errors == [], "\n".join(errors)
    finally:
        vctx.close()
        pctx.close()
