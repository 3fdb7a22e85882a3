"""In Chromium: a viewer watches a contest's leaderboard; a tip is sent (over the API, as the tip button does) and
the standings reorder on the page without a reload. The page passes the accessibility checks, on a phone too."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.community.tests.conftest import make_contest
from stagedoor.rooms.services import room_for_performer
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.wallet.tests.test_browser_studio import DESKTOP, audit, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_sees_the_leaderboard_move_after_a_tip(
    browser: Any, live_server: Any, make_user: Any, api_client: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.community.tests.conftest import tip

    ana = make_user("performer", login="ana_star", display_name="Ana Star")
    bea = make_user("performer", login="bea_star", display_name="Bea Star")
    room_for_performer(performer=ana)
    room_for_performer(performer=bea)
    contest = make_contest(make_user("admin"), entrants=(ana, bea))
    early_fan = make_user("viewer")
    fund_wallet(early_fan, 100)
    tip(early_fan, ana, 40)
    viewer = make_user("viewer", login="vera_viewer")
    fund_wallet(viewer, 500)

    context, page, errors = signed_in(browser, live_server.url, viewer, DESKTOP)
    try:
        page.goto(f"{live_server.url}/contests/{contest.slug}")
        rows = page.get_by_test_id("standing")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_have_attribute("data-performer", "ana_star")
        expect(rows.nth(0)).to_contain_text("40")
        expect(rows.nth(1)).to_contain_text("0")
        audit(page, "contest-before")

        # the viewer tips Bea from another tab, through the same API call the room's tip button makes
        response = page.request.post(
            f"{live_server.url}/api/v1/tips",
            data={"performer_id": bea.pk, "amount": 75},
            headers={
                "Idempotency-Key": "browser-contest-tip-1",
                "X-CSRFToken": next(c["value"] for c in context.cookies() if c["name"] == "csrftoken"),
                "Referer": f"{live_server.url}/contests/{contest.slug}",
            },
        )
        assert response.status == 201, response.text()

        expect(rows.nth(0)).to_have_attribute("data-performer", "bea_star")  # moved up, no reload
        expect(rows.nth(0)).to_contain_text("75")
        expect(rows.nth(1)).to_have_attribute("data-performer", "ana_star")
        expect(rows.nth(1)).to_contain_text("40")
        page.set_viewport_size({"width": 390, "height": 844})
        audit(page, "contest-after-phone")
        assert errors == []
    finally:
        context.close()
