"""In Chromium: the requester side (help centre search → article → the help form as a guest; a signed-in viewer's
request, the agent's answer on their page, their reply) and the agent side (the queue with SLA countdowns, a
ticket another agent holds — the collision warning, a refused reply, then "reply anyway" —, a macro, resolving,
the customer timeline). Every page: labelled controls, contrast AA, no console errors, nothing wider than a phone.
Screenshots in test-results/support/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stagedoor.core.hashing import email_hash
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "support"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Person:
    def __init__(self, browser: Any, base: str, user: Any = None) -> None:
        from django.conf import settings
        from django.test import Client

        self.context = browser.new_context(viewport=DESKTOP)
        self.context.set_default_timeout(20_000)
        if user is not None:
            consent(user)
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
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


def enter(page: Any, base: str) -> None:
    """A guest passes the entry interstitial (age and terms) once."""
    page.goto(f"{base}/help")
    if "/enter" in page.url:
        page.get_by_label("I am 18 or older").check()
        page.get_by_label("I accept the terms").check()
        page.get_by_test_id("enter-submit").click()


def test_the_requester_side(browser: Any, live_server: Any, make_user: Any) -> None:
    from playwright.sync_api import expect

    from stagedoor.support import services
    from stagedoor.support.models import Ticket

    services.defaults_seed()  # the migration's articles and macros (a transactional test may have flushed them)
    base = live_server.url
    guest = Person(browser, base)
    mia = make_user("viewer", login="mia_viewer", display_name="Mia")
    agent = make_user("support_l1", login="agent_ana")
    viewer = Person(browser, base, mia)
    try:
        page = guest.page
        enter(page, base)
        page.goto(f"{base}/help")
        page.get_by_label("Search the help articles").fill("obs bitrate")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_test_id("help-articles")).to_contain_text("Set up OBS for streaming")
        guest.check("help-search")
        page.get_by_role("link", name="Set up OBS for streaming").click()
        expect(page.get_by_test_id("help-article")).to_contain_text("Keyframe interval: 2 s")
        guest.check("article")
        page.get_by_role("link", name="Contact support").click()
        page.get_by_label("What is it about?").select_option("account")
        page.get_by_label("Subject").fill("Locked out of my account")
        page.get_by_label("Tell us what happened").fill("I lost my phone with the two-factor app.")
        page.get_by_label("Your e-mail address").fill("guest.person@example.test")
        guest.check("form")
        page.get_by_test_id("support-send").click()
        expect(page.get_by_test_id("support-sent")).to_contain_text("guest.person@example.test")
        assert Ticket.objects.get(requester_email_hash=email_hash("guest.person@example.test")).category == "account"

        vp = viewer.page
        vp.goto(f"{base}/support/new")
        vp.get_by_label("What is it about?").select_option("technical")
        vp.get_by_label("Subject").fill("Video keeps buffering")
        vp.get_by_label("Tell us what happened").fill("Every stream buffers after a minute.")
        vp.get_by_test_id("support-send").click()
        expect(vp.get_by_test_id("ticket-subject")).to_have_text("Video keeps buffering")
        ticket = Ticket.objects.get(requester=mia)
        services.ticket_reply(actor=agent, ticket_id=ticket.pk, body="Which browser do you use?")
        vp.reload()
        expect(vp.get_by_test_id("thread-message")).to_have_count(2)
        expect(vp.get_by_test_id("ticket-status")).to_have_text("Waiting for the requester")
        vp.get_by_label("Your reply").fill("Firefox 140 on Linux.")
        vp.get_by_test_id("reply-send").click()
        expect(vp.get_by_test_id("thread-message")).to_have_count(3)
        expect(vp.get_by_test_id("ticket-status")).to_have_text("Open")
        viewer.check("ticket")
    finally:
        guest.context.close()
        viewer.context.close()


def test_the_agent_side(browser: Any, live_server: Any, make_user: Any) -> None:
    from playwright.sync_api import expect

    from stagedoor.core.models import AuditEntry
    from stagedoor.support import services
    from stagedoor.support.models import Ticket

    services.defaults_seed()
    base = live_server.url
    mia = make_user("viewer", login="mia_viewer", display_name="Mia")
    ana = make_user("support_l2", login="agent_ana")
    bob = make_user("support_l1", login="agent_bob")
    urgent = services.ticket_open(
        requester=mia,
        request=services.OpenRequest(
            subject="Someone uses my account", body="Purchases I did not make", category="account"
        ),
    )
    services.ticket_open(
        requester=None,
        request=services.OpenRequest(
            subject="Question about tips", body="How?", email="g@example.test", category="other"
        ),
    )
    services.ticket_lock(actor=bob, ticket_id=urgent.pk)  # Bob has it open
    agent = Person(browser, base, ana)
    try:
        page = agent.page
        page.goto(f"{base}/staff/support/")
        rows = page.get_by_test_id("queue-row")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("Someone uses my account")  # high priority first
        expect(rows.first.locator("time[data-countdown]")).to_contain_text("in ")
        expect(page.get_by_test_id("queue-lock")).to_have_text("agent_bob is on it")
        agent.check("queue")
        page.get_by_role("link", name="Someone uses my account").click()
        expect(page.get_by_test_id("collision")).to_contain_text("agent_bob is working on this ticket")
        agent.check("ticket")
        page.get_by_label("Your reply").fill("We locked purchases on your account while we check.")
        page.get_by_test_id("agent-send").click()
        expect(page.locator(".flash-error")).to_contain_text("agent_bob is working on this ticket right now")
        assert not AuditEntry.objects.filter(action="support.reply").exists()
        page.get_by_label("Your reply").fill("We locked purchases on your account while we check.")
        page.get_by_label("Reply anyway (another agent is on this ticket)").check()
        page.get_by_test_id("agent-send").click()
        expect(page.locator(".flash-success")).to_have_text("Reply sent.")
        expect(page.get_by_test_id("thread-message")).to_have_count(2)
        page.get_by_label("Macro").select_option(label="Solved: close")
        page.get_by_role("button", name="Apply macro").click()
        expect(page.locator(".flash-success")).to_have_text("Macro applied.")
        assert Ticket.objects.get(pk=urgent.pk).status == "resolved"
        page.get_by_test_id("timeline-link").click()
        entries = page.get_by_test_id("timeline-entry")
        expect(entries.filter(has_text="Ticket: Someone uses my account")).to_have_count(1)
        page.get_by_label("Note about this person").fill("Called from a new phone; verified by purchase history.")
        page.get_by_role("button", name="Add note").click()
        expect(page.get_by_test_id("timeline-entry").filter(has_text="Called from a new phone")).to_have_count(1)
        agent.check("timeline")
    finally:
        agent.context.close()
