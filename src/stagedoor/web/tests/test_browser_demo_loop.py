"""In Chromium, on `make run`'s demo data, through the pages only (the test makes no API calls of its own):

a new viewer signs up on a phone, applies to perform (identity and documents), buys tokens through the sandbox, tips with the chat visible under the video
and sees the goal complete; the demo performer edits the tip menu and a goal in the studio and sees them on the
room page; a support agent finds the new viewer in the staff console and sees the purchase; an administrator
approves the viewer's performer application from the console.

Every step is photographed at desktop and phone widths (test-results/demo-loop/) and checked: no console
errors, every form control labelled, text contrast WCAG AA, nothing wider than the screen.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.core.management import call_command

from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "demo-loop"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Walk:
    """One person's browser: a page whose console is watched, photographed and checked at each step."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int], *, phone: bool) -> None:
        self.base = base
        self.viewport = viewport
        self.context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.console = watch_console(self.page)

    def step(self, name: str) -> None:
        """Screenshot and check the page at both widths, then return to this walker's own width."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            # caret="initial": hiding the caret injects a style the content-security policy refuses
            self.page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True, caret="initial")
            assert_accessible(self.page, self.console, where=f"{name} ({label})")
            width = self.page.evaluate("document.documentElement.scrollWidth")
            assert width <= size["width"], f"{name} ({label}): {width}px wide"
        self.page.set_viewport_size(self.viewport)

    def enter(self, path: str) -> None:
        """Open `path` as a new visitor: the age and terms interstitial comes first."""
        self.page.goto(f"{self.base}{path}")
        if "/enter" in self.page.url:
            self.page.check("input[name=age_confirmed]")
            self.page.check("input[name=terms_accepted]")
            self.page.click("[data-testid=enter-submit]")
            self.page.wait_for_url(lambda url: "/enter" not in url)

    def sign_in(self, login: str, password: str, totp_secret: str, *, then: str) -> None:
        """Log in with the password and the current two-factor code; arrive where `then` points."""
        self.enter(then)
        self.page.wait_for_url(f"{self.base}/login?next=**")
        self.page.get_by_label("Login or e-mail").fill(login)
        self.page.get_by_label("Password").fill(password)
        self.page.click("[data-testid=login-submit]")
        self.page.wait_for_url(f"{self.base}/login/2fa")
        self.page.get_by_label("Code").fill(pyotp.TOTP(totp_secret).now())
        self.page.click("[data-testid=otp-submit]")
        self.page.wait_for_url(f"{self.base}{then}")

    def close(self) -> None:
        self.context.close()


def _box(page: Any, testid: str) -> dict[str, float]:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None, testid
    return dict(box)


def test_the_demo_loop(browser: Any, live_server: Any, chat_gateway: Any, capsys: Any) -> None:
    import json

    from django.conf import settings
    from playwright.sync_api import expect

    from stagedoor.accounts.models import User
    from stagedoor.rooms.models import Room
    from stagedoor.verification.models import PerformerApplication
    from stagedoor.verification.tests.conftest import drawn_image

    shutil.rmtree(SHOTS, ignore_errors=True)  # this run's pictures only
    call_command("demo")  # what `make run` does before serving; it prints each login's password
    printed = capsys.readouterr().out
    creds = json.loads((settings.VAR_DIR / "demo_credentials.json").read_text())
    for login in ("demo_performer", "demo_support1", "demo_admin"):
        assert login in printed and creds[login]["password"] in printed

    def password(login: str) -> str:
        return str(creds[login]["password"])

    base = live_server.url
    nova = User.objects.get(login="demo_performer")
    room_path = Room.objects.get(performer=nova).url
    walkers: list[Walk] = []
    try:
        # --- a new viewer, on a phone: sign up --------------------------------------------------------
        fan = Walk(browser, base, PHONE, phone=True)
        walkers.append(fan)
        fan.enter("/")
        fan.step("01-directory")
        fan.page.goto(f"{base}/signup")
        fan.page.get_by_label("Email").fill("rowan.fan@example.test")
        fan.page.get_by_label("Login").fill("rowan_fan")
        fan.page.get_by_label("Display name").fill("Rowan")
        fan.page.get_by_label("Password").fill("a long invented passphrase 42")
        fan.step("02-signup")
        fan.page.get_by_test_id("signup-submit").click()
        fan.page.wait_for_url(f"{base}/account")

        # --- applies to perform with documents (an administrator decides later) --------------------------
        fan.page.get_by_test_id("apply-link").click()
        fan.page.wait_for_url(f"{base}/verify")
        fan.page.get_by_label("Stage name").fill("Rowan Vale")
        fan.page.get_by_label("Legal name (as on your ID)").fill("Rowan Example Vale")
        fan.page.get_by_label("Date of birth").fill("1996-08-14")
        fan.page.get_by_label("Country (two letters, e.g. DE)").fill("NL")
        fan.page.get_by_test_id("apply-submit").click()
        fan.page.wait_for_url(f"{base}/verify")
        expect(fan.page.get_by_test_id("verify-step")).to_have_attribute("data-state", "documents")
        picture = {"mimeType": "image/png", "buffer": drawn_image()}
        fan.page.get_by_label("ID document, front").set_input_files({"name": "front.png", **picture})
        fan.page.get_by_label("Selfie holding the document").set_input_files({"name": "selfie.png", **picture})
        fan.page.get_by_test_id("documents-submit").click()
        fan.page.wait_for_url(f"{base}/verify")
        expect(fan.page.get_by_test_id("verify-step")).to_have_attribute("data-state", "review")
        fan.step("03-applied")
        fan.page.goto(f"{base}/account")
        expect(fan.page.locator("main")).to_contain_text("Your application (Rowan Vale) is pending")

        # --- buys tokens through the sandbox processor --------------------------------------------------
        fan.page.get_by_test_id("buy-tokens").click()
        fan.page.wait_for_url(f"{base}/wallet")
        expect(fan.page.get_by_test_id("wallet-balance")).to_have_text("0")
        fan.step("04-wallet")
        fan.page.get_by_test_id("buy-100").click()
        fan.page.wait_for_url(f"{base}/pay/sandbox/**")
        fan.step("05-sandbox-checkout")
        fan.page.get_by_test_id("sandbox-approve").click()
        fan.page.wait_for_url(f"{base}/wallet?purchase=**")
        expect(fan.page.get_by_test_id("purchase-status")).to_have_attribute("data-status", "completed")
        expect(fan.page.get_by_test_id("wallet-balance")).to_have_text("100")
        fan.step("06-wallet-paid")

        # --- tips on the room page, the chat right under the video, and sees the goal complete -----------
        fan.page.goto(f"{base}{room_path}")
        fan.page.locator("[data-chat-status].is-connected").wait_for()
        video, chat = _box(fan.page, "player"), _box(fan.page, "chat")
        assert 0 <= chat["y"] - (video["y"] + video["height"]) <= 120, (video, chat)
        expect(fan.page.locator("[data-goal-title]")).to_have_text("Warm-up dance")
        assert "Shout-out" not in fan.page.locator("[data-tip-panel]").inner_text()
        fan.step("07-room")
        fan.page.get_by_test_id("tip-toggle").tap()
        fan.page.get_by_test_id("tip-amount").fill("50")
        fan.page.get_by_test_id("tip-send").tap()
        banner = fan.page.get_by_test_id("goal-celebration")
        expect(banner).to_contain_text("Goal reached: Warm-up dance!", timeout=15_000)
        expect(fan.page.locator("[data-goal-title]")).to_have_text("Karaoke hour", timeout=15_000)
        expect(fan.page.get_by_test_id("header-balance")).to_have_attribute("aria-label", "Wallet: 50 tokens")
        fan.step("08-goal-reached")

        assert fan.console == []

        # --- the demo performer edits the tip menu and the goal in the studio ---------------------------
        star = Walk(browser, base, DESKTOP, phone=False)
        walkers.append(star)
        star.sign_in(nova.login, password(nova.login), nova.totp_secret, then="/studio")
        star.step("09-studio")
        menu = star.page.get_by_test_id("studio-tip-menu")
        star.page.get_by_label("Label of menu item 1").fill("Shout-out")
        star.page.get_by_label("Price in tokens of menu item 1").fill("12")
        menu.get_by_test_id("menu-save").first.click()
        expect(star.page.get_by_test_id("studio-notice").first).to_have_text("Saved “Shout-out”.")
        goals = star.page.get_by_test_id("studio-goals")
        goals.get_by_label("Title of the running goal").fill("Karaoke marathon")
        goals.get_by_test_id("goal-active").get_by_test_id("goal-save").click()
        expect(goals.get_by_test_id("studio-notice")).to_have_text("Goal saved.")
        star.step("10-studio-edited")
        star.page.goto(f"{base}{room_path}")
        expect(star.page.get_by_test_id("tip-panel-self")).to_be_visible()
        expect(star.page.locator("[data-goal-title]")).to_have_text("Karaoke marathon")
        expect(star.page.locator("[data-tip-panel]")).to_contain_text("Shout-out")
        expect(star.page.locator("[data-tip-panel]")).to_contain_text("12 tokens")
        star.step("11-room-as-performer")
        # the viewer's open room page follows the goal and the menu on its own
        expect(fan.page.locator("[data-goal-title]")).to_have_text("Karaoke marathon", timeout=15_000)
        expect(fan.page.locator("[data-tip-panel]")).to_contain_text("Shout-out", timeout=15_000)
        expect(fan.page.get_by_role("button", name="12 tokens", exact=True)).to_be_visible()
        assert star.console == []

        # --- a support agent finds the new viewer and the purchase --------------------------------------
        sam = User.objects.get(login="demo_support1")
        support = Walk(browser, base, DESKTOP, phone=False)
        walkers.append(support)
        support.sign_in(sam.login, password(sam.login), sam.totp_secret, then="/staff/")
        support.step("12-console-support")
        support.page.get_by_test_id("home-search").fill("rowan")
        support.page.get_by_role("button", name="Search").click()
        support.page.wait_for_url(f"{base}/staff/users/?q=rowan")
        rowan = User.objects.get(login="rowan_fan")
        support.page.get_by_test_id("person-rowan_fan").click()
        support.page.wait_for_url(f"{base}/staff/users/{rowan.pk}/")
        purchases = support.page.get_by_test_id("panel-purchases")
        expect(purchases.get_by_test_id("person-purchase")).to_have_attribute("data-status", "completed")
        expect(purchases).to_contain_text("Paid")
        support.step("13-console-person")
        assert support.console == []

        # --- an administrator approves the application, on a phone --------------------------------------
        ada = User.objects.get(login="demo_admin")
        admin = Walk(browser, base, PHONE, phone=True)
        walkers.append(admin)
        admin.sign_in(ada.login, password(ada.login), ada.totp_secret, then="/staff/applications/")
        row = admin.page.get_by_test_id("application-rowan_fan")
        expect(row).to_contain_text("Rowan Vale")
        admin.step("14-console-applications")
        row.get_by_test_id("approve-rowan_fan").click()
        admin.page.wait_for_url(f"{base}/staff/applications/")
        expect(admin.page.get_by_test_id("application-rowan_fan")).to_have_count(0)
        admin.step("15-console-approved")
        assert admin.console == []
    finally:
        for walker in walkers:
            walker.close()

    application = PerformerApplication.objects.get(user__login="rowan_fan")
    assert (application.status, application.decided_by_id) == ("approved", ada.pk)
    assert User.objects.get(login="rowan_fan").role == "performer"
