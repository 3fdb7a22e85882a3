"""In Chromium: a performer edits a tip-menu item and a goal in the studio and a viewer's open room page shows
it; the performer's own room page shows the panel read-only; the wallet page turns "Paid" on its own after the
sandbox approves; a reached goal is celebrated in the room and the next goal appears. Screenshots at 1280×800
and 390×844 go to test-results/studio/; no console errors, every form control labelled, text contrast AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stagedoor.wallet import services
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "studio"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def signed_in(browser: Any, base: str, user: Any, viewport: dict[str, int]) -> tuple[Any, Any, list[str]]:
    """A context holding `user`'s session (two-factor sign-in has its own browser test), one checked page."""
    from django.conf import settings
    from django.test import Client

    consent(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text} ({page.url})") if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())
    return context, page, errors


def audit(page: Any, name: str) -> None:
    """A screenshot, then: every control labelled, text contrast AA, nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    # caret="initial": hiding the caret injects a style the CSP refuses (a console error on the next DOM change)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")
    assert_accessible(page, where=name)  # console errors are asserted per page at the end
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: wider than {width}px"


def test_performer_edits_menu_and_goal_and_a_viewer_sees_it(
    browser: Any, live_server: Any, make_user: Any, chat_gateway: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    star = make_user("performer", login="studio_star", display_name="Studio Star")
    viewer = make_user("viewer", login="vera")
    services.tip_menu_item_create(performer=star, label="Wave", price=5)
    services.tip_menu_item_create(performer=star, label="Song request", price=25)
    services.tip_goal_create(performer=star, title="Dance", target=50)
    services.tip_goal_create(performer=star, title="Karaoke", target=300)
    room_url = f"{base}{room_for_performer(performer=star).url}"

    vctx, vpage, verrors = signed_in(browser, base, viewer, DESKTOP)
    sctx, spage, serrors = signed_in(browser, base, star, DESKTOP)
    try:
        vpage.goto(room_url)
        expect(vpage.locator("[data-goal-title]")).to_have_text("Dance")
        expect(vpage.get_by_role("button", name="5 tokens", exact=True)).to_be_visible()

        spage.goto(f"{base}/studio")
        menu = spage.get_by_test_id("studio-tip-menu")
        audit(spage, "studio-desktop")
        spage.get_by_label("Label of menu item 1").fill("Big wave")
        spage.get_by_label("Price in tokens of menu item 1").fill("7")
        menu.get_by_test_id("menu-save").first.click()
        expect(spage.get_by_test_id("studio-notice")).to_have_text("Saved “Big wave”.")
        menu.get_by_role("button", name="Move Song request up").click()
        expect(spage.get_by_test_id("studio-notice")).to_have_text("Moved “Song request” up.")
        goals = spage.get_by_test_id("studio-goals")
        goals.get_by_label("Title of the running goal").fill("First dance")
        goals.get_by_label("Target in tokens of the running goal").fill("40")
        goals.get_by_test_id("goal-active").get_by_test_id("goal-save").click()
        expect(goals.get_by_test_id("studio-notice")).to_have_text("Goal saved.")
        goals.get_by_label("New goal").fill("Costume change")
        goals.get_by_label("Target (tokens)").fill("1000")
        goals.get_by_test_id("goal-add-submit").click()
        expect(goals.get_by_test_id("goal-queued")).to_have_count(2)
        audit(spage, "studio-after-edits-desktop")

        # The viewer's open page: the goal changes live (the tip panel keeps itself current) …
        expect(vpage.locator("[data-goal-title]")).to_have_text("First dance", timeout=10_000)
        expect(vpage.locator("[data-goal-target]")).to_have_text("40")
        # … and so does the menu, without a reload: new labels, prices and order, buttons that tip.
        expect(vpage.locator("[data-tip-menu] li > span:first-child")).to_have_text(["Song request", "Big wave"])
        expect(vpage.get_by_role("button", name="7 tokens", exact=True)).to_be_visible()
        audit(vpage, "room-viewer-after-edits-desktop")

        # The performer's own room: the same page, the panel read-only with the way to the studio.
        spage.goto(room_url)
        expect(spage.get_by_test_id("tip-panel-self")).to_be_visible()
        assert spage.get_by_test_id("tip-send").count() == 0 and spage.get_by_test_id("tip-login").count() == 0
        audit(spage, "room-self-desktop")
        spage.get_by_test_id("edit-in-studio").click()
        spage.wait_for_url(f"{base}/studio#studio-tip-menu")
        assert verrors == [] and serrors == [], (verrors, serrors)
    finally:
        vctx.close()
        sctx.close()

    pctx, ppage, perrors = signed_in(browser, base, star, PHONE)
    try:
        ppage.goto(f"{base}/studio")
        audit(ppage, "studio-phone")
        ppage.goto(room_url)
        audit(ppage, "room-self-phone")
        assert perrors == []
    finally:
        pctx.close()


@pytest.mark.parametrize(("name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_wallet_turns_paid_on_its_own_after_the_sandbox_approves(
    browser: Any, live_server: Any, make_user: Any, settings: Any, name: str, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    base = live_server.url
    services.package_create(actor=make_user("finance"), name="Starter", tokens=100, price_minor=999, currency="USD")
    buyer = make_user("viewer", login=f"buyer_{name}")
    context, checkout, errors = signed_in(browser, base, buyer, viewport)
    try:
        checkout.goto(f"{base}/wallet")
        checkout.get_by_test_id("buy-100").click()
        checkout.wait_for_url(f"{base}/pay/sandbox/**")
        purchase_id = checkout.url.rsplit("/", 1)[1]

        # A second tab on the wallet, waiting for this purchase, with the way back to the checkout.
        wallet = context.new_page()
        wallet.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        wallet.goto(f"{base}/wallet?purchase={purchase_id}")
        expect(wallet.get_by_test_id("purchase-status")).to_have_attribute("data-status", "created")
        expect(wallet.get_by_test_id("return-to-checkout")).to_have_attribute("href", f"/pay/sandbox/{purchase_id}")
        expect(wallet.get_by_test_id("wallet-balance")).to_have_text("0")
        audit(wallet, f"wallet-waiting-{name}")

        checkout.get_by_test_id("sandbox-approve").click()
        checkout.wait_for_url(f"{base}/wallet?purchase=**")

        # No reload: the waiting tab turns "Paid", with the balance and the purchase's row.
        status = wallet.get_by_test_id("purchase-status")
        expect(status).to_have_attribute("data-status", "completed", timeout=10_000)
        expect(status).to_have_text("Paid — 100 tokens added.")
        expect(wallet.get_by_test_id("wallet-balance")).to_have_text("100")
        expect(wallet.get_by_test_id("header-balance")).to_have_text("◎100")  # the header follows
        expect(wallet.get_by_test_id("purchase-row-status")).to_have_text("Paid")
        expect(wallet.get_by_test_id("history")).to_contain_text("+100")
        assert wallet.get_by_test_id("return-to-checkout").count() == 0
        audit(wallet, f"wallet-paid-{name}")
        assert errors == []
    finally:
        context.close()


def test_a_reached_goal_is_celebrated_and_the_next_one_shown(
    browser: Any, live_server: Any, make_user: Any, chat_gateway: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer
    from stagedoor.wallet.tests.conftest import fund_wallet

    base = live_server.url
    star = make_user("performer", login="goal_star", display_name="Goal Star")
    services.tip_goal_create(performer=star, title="Dance", target=50)
    services.tip_goal_create(performer=star, title="Karaoke", target=300)
    fan = make_user("viewer", login="fan")
    fund_wallet(fan, 100)
    room_url = f"{base}{room_for_performer(performer=star).url}"
    contexts = []
    try:
        pages = []
        for viewport in (DESKTOP, PHONE):
            context, page, errors = signed_in(browser, base, fan, viewport)
            contexts.append(context)
            page.goto(room_url)
            page.locator("[data-chat-status].is-connected").wait_for()
            pages.append((page, errors))
        tipper = pages[0][0]
        pages[1][0].locator("footer").scroll_into_view_if_needed()  # the phone is scrolled away from the video
        tipper.get_by_test_id("tip-amount").fill("50")
        tipper.get_by_test_id("tip-send").click()
        for (page, errors), name in zip(pages, ("desktop", "phone"), strict=True):
            banner = page.get_by_test_id("goal-celebration")
            expect(banner).to_contain_text("Goal reached: Dance!", timeout=10_000)
            expect(banner).to_contain_text("Next goal: Karaoke (300 tokens)")
            expect(banner).to_be_in_viewport()  # over the video, or floating when the video is off screen
            floating = "is-floating" in (banner.get_attribute("class") or "")
            assert floating or name == "desktop", name  # the phone was scrolled: floating
            expect(page.locator("[data-goal-title]")).to_have_text("Karaoke", timeout=10_000)
            audit(page, f"goal-reached-{name}")
            expect(banner).to_have_count(1)  # once, however many goal events the tip caused
            assert errors == [], name
        # a page opened afterwards gets the goal in its chat history, but it is old news: no banner
        late = pages[1][0]
        late.reload()
        late.locator("[data-chat-status].is-connected").wait_for()
        expect(late.locator("[data-goal-title]")).to_have_text("Karaoke")
        assert late.get_by_test_id("goal-celebration").count() == 0
    finally:
        for context in contexts:
            context.close()
