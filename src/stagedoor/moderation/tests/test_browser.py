"""In Chromium: a viewer reports a chat message from the room page; a moderator (password + two-factor) finds the
case in the review queue, claims it and removes the message under a policy; the viewer sees the outcome on "your
reports" and the author reads the statement of reasons. Every page: controls labelled, contrast AA, no console
errors, nothing wider than a phone. Screenshots in test-results/moderation/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest

from stagedoor.conftest import TEST_PASSWORD
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "moderation"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Person:
    """One person's browser context, its console watched."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport=DESKTOP)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.console = watch_console(self.page)

    def check(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True, caret="initial")
            assert_accessible(self.page, self.console, where=f"{name} ({label})")
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} ({label}): {width}px wide"
        self.page.set_viewport_size(DESKTOP)

    def sign_in(self, user: Any, *, then: str) -> None:
        page = self.page
        page.goto(f"{self.base}/login?next={then}")
        if "/enter" in page.url:
            page.check("input[name=age_confirmed]")
            page.check("input[name=terms_accepted]")
            page.click("[data-testid=enter-submit]")
        page.wait_for_url(f"{self.base}/login?next=**")
        page.get_by_label("Login or e-mail").fill(user.login)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.click("[data-testid=login-submit]")
        if user.totp_secret:
            page.wait_for_url(f"{self.base}/login/2fa")
            page.get_by_label("Code").fill(pyotp.TOTP(user.totp_secret).now())
            page.click("[data-testid=otp-submit]")
        page.wait_for_url(f"{self.base}{then}")


def test_a_viewer_reports_a_message_and_a_moderator_removes_it(
    browser: Any, live_server: Any, chat_gateway: Any, make_user: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.chat.models import ChatMessage
    from stagedoor.moderation.models import Decision
    from stagedoor.moderation.tests.conftest import write_message
    from stagedoor.rooms.services import room_for_performer

    room = room_for_performer(performer=make_user("performer", login="star", display_name="Star Nova"))
    troll = make_user("viewer", login="tom_troll")
    write_message(room, make_user("viewer", login="polly"), "what a lovely set")
    message = write_message(room, troll, "you are worthless, log off")
    viewer = make_user("viewer", login="vic_viewer")
    moderator = make_user("moderator", login="mona_mod")
    base = live_server.url

    vic = Person(browser, base)
    mona = Person(browser, base)
    tom = Person(browser, base)
    try:
        # --- the viewer reports the message from the room page ---------------------------------------------
        vic.sign_in(viewer, then=f"/r/{room.slug}")
        vic.page.get_by_test_id("report-room").click()
        vic.page.wait_for_url(f"{base}/report?room={room.slug}")
        vic.page.locator(f"input[name=target][value='message:{message.pk}']").check()
        vic.page.get_by_label("Why?").select_option("harassment")
        vic.page.get_by_label("What happened (optional, up to 2000 characters)").fill("Aimed at another viewer.")
        vic.check("01-report-form")
        vic.page.get_by_test_id("report-submit").click()
        vic.page.wait_for_url(f"{base}/reports**")
        expect(vic.page.get_by_test_id("my-report")).to_have_attribute("data-status", "open")
        expect(vic.page.get_by_test_id("my-report")).to_contain_text("Under review")
        vic.check("02-my-report-open")

        # --- the moderator decides it in the console ------------------------------------------------------
        mona.sign_in(moderator, then="/staff/queue/")
        row = mona.page.get_by_test_id("queue-row")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-severity", "medium")
        mona.check("03-queue")
        row.get_by_role("link", name="Open").click()
        expect(mona.page.get_by_test_id("target-message")).to_contain_text("you are worthless, log off")
        expect(mona.page.get_by_test_id("evidence-reports")).to_contain_text("Aimed at another viewer.")
        mona.page.get_by_test_id("claim").click()
        expect(mona.page.get_by_test_id("case-holder")).to_contain_text("mona_mod")
        mona.check("04-case")
        mona.page.get_by_label("Policy").select_option("HAR-1")
        mona.page.get_by_label("Action").select_option("delete_message")
        mona.page.get_by_label("Facts for the statement of reasons (optional)").fill("An insult aimed at a viewer.")
        mona.page.get_by_test_id("decide-submit").click()
        mona.page.wait_for_url(f"{base}/staff/queue/")
        expect(mona.page.get_by_text("Decided: Message removed under HAR-1.")).to_be_visible()
        expect(mona.page.get_by_test_id("queue-empty")).to_be_visible()

        message.refresh_from_db()
        assert message.status == ChatMessage.Status.DELETED
        decision = Decision.objects.get()
        assert (decision.moderator_id, decision.policy_code, decision.action) == (
            moderator.pk,
            "HAR-1",
            "delete_message",
        )

        # --- the viewer sees what became of the report ---------------------------------------------------------
        vic.page.goto(f"{base}/reports")
        expect(vic.page.get_by_test_id("my-report")).to_have_attribute("data-status", "actioned")
        expect(vic.page.get_by_test_id("report-outcome")).to_have_text(
            "Action taken: message removed under our policy 'Harassment and hate'."
        )
        vic.check("05-my-report-actioned")

        # --- the author reads the statement of reasons, with the way to appeal --------------------------------
        tom.sign_in(troll, then="/decisions")
        card = tom.page.get_by_test_id("decision")
        expect(card).to_contain_text(f"Your chat message in room '{room.slug}' was removed.")
        expect(tom.page.get_by_test_id("statement-facts")).to_contain_text("An insult aimed at a viewer.")
        expect(tom.page.get_by_test_id("appeal-form")).to_be_visible()
        tom.check("06-decisions-about-me")
        for person in (vic, mona, tom):
            assert person.console == [], person.console
    finally:
        for person in (vic, mona, tom):
            person.context.close()
