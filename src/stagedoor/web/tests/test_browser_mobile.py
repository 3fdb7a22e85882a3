"""In Chromium at phone size (390×844, touch) and desktop size: the header stays one row and its menu
works by tap and keyboard; on the room page the chat comes right under the video, the tip panel
folds, the player's controls show without hover (sound, volume, full screen, picture-in-picture),
the chat counts towards its limit and a moderator opens a message's menu by tap. Every page passes
the accessibility checks (web/tests/a11y.py). Screenshots: test-results/mobile/."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "mobile"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    """A performer's room with a tip menu and a goal, a viewer with tokens, a chat host, an offline performer."""
    from stagedoor.chat.services import chat_host_add
    from stagedoor.rooms.services import room_for_performer, room_update
    from stagedoor.wallet import services as wallet
    from stagedoor.wallet.tests.conftest import consent, fund_wallet

    star = make_user("performer", login="nova_star", display_name="Nova Star")
    room = room_for_performer(performer=star)
    room_update(room=room, title="Late-night jazz and requests", tags=["music", "jazz"])
    wallet.tip_menu_item_create(performer=star, label="Play a request", price=25)
    wallet.tip_goal_create(performer=star, title="New piano", target=500)
    luna = make_user("performer", login="luna", display_name="Luna")
    room_update(room=room_for_performer(performer=luna), title="Back on Friday", tags=["art"])
    viewer = consent(make_user("viewer", login="mira", display_name="Mira Dale"))
    fund_wallet(viewer, 250)
    host = consent(make_user("viewer", login="hosty", display_name="Hosty"))
    chat_host_add(actor=star, room=room, user=host)
    return {"room": room, "viewer": viewer, "host": host, "luna": luna}


def new_context(browser: Any, base: str, viewport: dict[str, int], user: Any = None) -> Any:
    """A browser context past the age check, signed in as `user` if given; phones have touch."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post(
        "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
    )
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport, has_touch=phone, is_mobile=phone, device_scale_factor=2 if phone else 1
    )
    context.set_default_timeout(15000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
    return context


def until(page: Any, js: str, timeout_s: float = 10) -> Any:
    """Poll `js` in the page until it is truthy (the page's CSP forbids eval, so no wait_for_function)."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(js)
        if value or time.monotonic() > deadline:
            assert value, f"timed out waiting for {js}"
            return value
        page.wait_for_timeout(50)


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not on screen"
    return dict(found)


def one_row(page: Any, selectors: list[str]) -> None:
    """The elements sit side by side on one row: their vertical middles agree within 4 px."""
    boxes = [box(page, s) for s in selectors]
    middles = [b["y"] + b["height"] / 2 for b in boxes]
    assert max(middles) - min(middles) <= 4, dict(zip(selectors, boxes, strict=True))
    lefts = [b["x"] for b in boxes]
    assert lefts == sorted(lefts), "left to right, in order"


def test_header_is_one_row_and_its_menu_works_by_tap_and_keyboard(
    browser: Any, live_server: Any, world: dict[str, Any]
) -> None:
    from stagedoor.rooms.models import Follow

    base = live_server.url
    for name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        context = new_context(browser, base, viewport, world["viewer"])
        try:
            page = context.new_page()
            console = watch_console(page)
            page.goto(f"{base}/")
            header = [
                ".brand",
                "[data-testid=header-balance]",
                "[data-testid=buy-tokens]",
                "[data-testid=account-link]",
            ]
            one_row(page, header)
            topbar = box(page, "[data-testid=topbar]")
            assert topbar["height"] <= 64, topbar
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert page.locator("[data-header-balance]").inner_text() == "250"
            assert page.get_by_test_id("buy-tokens").get_attribute("href") == "/wallet"
            assert page.get_by_test_id("topbar").locator(".topnav").is_visible() == (name == "desktop")

            button = page.get_by_test_id("account-link")
            menu = page.get_by_test_id("user-menu")
            assert button.get_attribute("aria-expanded") == "false" and menu.is_hidden()
            if name == "phone":
                button.tap()
            else:
                button.click()
            assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
            assert menu.get_by_role("link", name="Live now").is_visible() == (name == "phone")  # the nav folds in
            assert menu.get_by_test_id("menu-wallet").is_visible() and menu.get_by_test_id("logout").is_visible()
            shot(page, f"header-menu-{name}")
            page.mouse.click(5, viewport["height"] - 5)  # anywhere else closes it
            assert menu.is_hidden() and button.get_attribute("aria-expanded") == "false"

            button.focus()
            page.keyboard.press("Enter")
            assert menu.is_visible()
            page.keyboard.press("Escape")
            assert menu.is_hidden() and page.evaluate("document.activeElement.dataset.testid") == "account-link"
            page.keyboard.press("ArrowDown")  # opens on the first item
            assert menu.is_visible()
            first = page.evaluate("document.activeElement.textContent.trim()")
            assert first == ("Live now" if name == "phone" else "Wallet · 250 tokens")
            page.keyboard.press("Escape")

            # follow an offline performer from the directory
            if name == "phone":
                follow = page.get_by_test_id("follow-luna")
                follow.tap()
                page.get_by_test_id("follow-luna").filter(has_text="Following").wait_for()
                assert Follow.objects.filter(user=world["viewer"], room__performer=world["luna"]).count() == 1
                shot(page, "directory-phone")
            assert console == []
        finally:
            context.close()


def test_room_on_a_phone(browser: Any, live_server: Any, world: dict[str, Any], chat_gateway: Any) -> None:
    base = live_server.url
    room_url = f"{base}{world['room'].url}"
    context = new_context(browser, base, PHONE, world["viewer"])
    try:
        page = context.new_page()
        console = watch_console(page)
        page.goto(room_url)
        page.locator("[data-chat-status].is-connected").wait_for()
        one_row(
            page, [".brand", "[data-testid=header-balance]", "[data-testid=buy-tokens]", "[data-testid=account-link]"]
        )
        one_row(page, [".room-ident", ".room-stat", "[data-testid=follow]"])

        # the chat comes right under the video (and its one-row header), not below the tip panel
        video = box(page, "[data-testid=player-shell]")
        chat = box(page, "[data-testid=chat]")
        assert video["width"] == PHONE["width"]
        assert 0 <= chat["y"] - (video["y"] + video["height"]) <= 120, (video, chat)
        assert chat["y"] < PHONE["height"] * 0.6  # the chat starts in the first screen
        tips = box(page, "[data-testid=tip-details]")
        assert tips["y"] > chat["y"] + chat["height"]

        # the tip panel is folded; a tap opens and closes it
        details = page.get_by_test_id("tip-details")
        assert details.get_attribute("open") is None and page.get_by_test_id("tip-amount").is_hidden()
        shot(page, "room-phone")
        page.get_by_test_id("tip-toggle").tap()
        page.get_by_test_id("tip-amount").wait_for(state="visible")
        assert details.get_attribute("open") == "" and page.get_by_test_id("goal-progress").is_visible()
        shot(page, "room-phone-tips-open")
        # a tip lowers the balance in the panel, and the header's balance follows
        page.get_by_test_id("tip-amount").fill("10")
        page.get_by_test_id("tip-send").tap()
        page.get_by_test_id("tip-status").filter(has_text="Tipped 10 tokens").wait_for()
        page.get_by_test_id("tip-balance").filter(has_text="240").wait_for()
        page.locator("[data-header-balance]").filter(has_text="240").wait_for()
        assert page.get_by_test_id("header-balance").get_attribute("aria-label") == "Wallet: 240 tokens"
        page.get_by_test_id("tip-toggle").tap()
        page.get_by_test_id("tip-amount").wait_for(state="hidden")

        # the player's controls show without hover, and respond
        controls = page.get_by_test_id("player-controls")
        assert page.evaluate("getComputedStyle(document.querySelector('[data-player-controls]')).opacity") == "1"
        for testid in ("player-sound", "player-volume", "player-quality", "player-fullscreen"):
            assert controls.get_by_test_id(testid).is_visible(), testid
        sound = page.get_by_test_id("player-sound")
        assert sound.inner_text() == "Unmute" and page.evaluate("document.querySelector('video').muted")
        page.get_by_test_id("player-volume").fill("0.5")
        assert page.evaluate("[document.querySelector('video').volume, document.querySelector('video').muted]") == [
            0.5,
            False,
        ]
        assert sound.inner_text() == "Mute"
        sound.tap()
        assert page.evaluate("document.querySelector('video').muted") and sound.inner_text() == "Unmute"
        assert page.get_by_test_id("player-volume").input_value() == "0"
        page.get_by_test_id("player-fullscreen").tap()
        until(page, "window.stagedoorPlayer.fullscreen.result !== null")
        assert page.evaluate("window.stagedoorPlayer.fullscreen.requested") == 1
        if page.evaluate("window.stagedoorPlayer.fullscreen.result") == "ok":  # headless may refuse: that is fine
            until(page, "document.querySelector('[data-player]').dataset.fullscreen === 'true'")
            assert page.get_by_test_id("player-fullscreen").get_attribute("aria-label") == "Leave full screen"
            shot(page, "player-fullscreen-phone")
            page.get_by_test_id("player-fullscreen").tap()  # the same button leaves full screen
            until(page, "document.querySelector('[data-player]').dataset.fullscreen === 'false'")
            assert page.evaluate("window.stagedoorPlayer.fullscreen.requested") == 2
            assert page.get_by_test_id("player-fullscreen").get_attribute("aria-label") == "Full screen"
        pip = page.get_by_test_id("player-pip")
        if page.evaluate("document.pictureInPictureEnabled"):
            assert pip.is_visible()
            pip.tap()
            until(page, "window.stagedoorPlayer.pip.result !== null")
            assert page.evaluate("window.stagedoorPlayer.pip.requested") == 1
        else:
            assert pip.is_hidden()

        # the chat counts towards its limit and says so, instead of cutting the text
        chat_input = page.get_by_test_id("chat-input")
        chat_input.fill("x" * 501)
        assert chat_input.input_value() == "x" * 501
        assert page.get_by_test_id("chat-count").inner_text() == "501/500"
        limit = page.get_by_test_id("chat-limit")
        assert limit.inner_text() == "Too long: messages are at most 500 characters. Remove 1 to send."
        page.get_by_test_id("chat-send").tap()
        assert chat_input.input_value() == "x" * 501  # not sent, not cut
        chat_input.fill("y" * 500)
        assert limit.inner_text() == "That is the limit: 500 characters."
        page.get_by_test_id("chat-send").tap()
        page.get_by_test_id("chat-message").filter(has_text="y" * 40).wait_for()
        assert chat_input.input_value() == "" and limit.inner_text() == ""
        assert page.locator(".chat.can-moderate").count() == 0  # a viewer has no moderation menu
        shot(page, "room-phone-chat")
        assert console == []
    finally:
        context.close()


def test_moderator_opens_a_message_menu_by_tap_and_keyboard(
    browser: Any, live_server: Any, world: dict[str, Any], chat_gateway: Any
) -> None:
    base = live_server.url
    context = new_context(browser, base, PHONE, world["host"])
    try:
        page = context.new_page()
        console = watch_console(page)
        page.goto(f"{base}{world['room'].url}")
        page.locator("[data-chat-status].is-connected").wait_for()
        for text in ("first line to keep", "second line to delete"):
            page.get_by_test_id("chat-input").fill(text)
            page.get_by_test_id("chat-send").tap()
            page.get_by_test_id("chat-message").filter(has_text=text).wait_for()
        line = page.get_by_test_id("chat-message").filter(has_text="second line to delete")
        more = line.get_by_test_id("chat-more")
        assert more.is_visible()  # no hover needed
        menu = page.get_by_test_id("chat-menu")
        more.tap()
        assert menu.is_visible() and more.get_attribute("aria-expanded") == "true"
        menu_box, chat_box = box(page, "[data-testid=chat-menu]"), box(page, "[data-testid=chat]")
        assert (
            chat_box["y"] <= menu_box["y"] and menu_box["y"] + menu_box["height"] <= chat_box["y"] + chat_box["height"]
        )
        shot(page, "chat-moderator-menu-phone")
        page.get_by_test_id("mod-delete").tap()
        line.wait_for(state="detached")
        assert menu.is_hidden()

        # the keyboard: Enter on "⋯" opens the menu on its first item, arrows move, Escape closes
        keep = page.get_by_test_id("chat-message").filter(has_text="first line to keep").get_by_test_id("chat-more")
        keep.focus()
        page.keyboard.press("Enter")
        assert menu.is_visible()
        assert page.evaluate("document.activeElement.dataset.testid") == "mod-delete"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.testid") == "mod-timeout-60"
        page.keyboard.press("Escape")
        assert menu.is_hidden() and keep.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.textContent") == "⋯"
        assert page.get_by_test_id("chat-message").filter(has_text="first line to keep").count() == 1
        assert console == []
    finally:
        context.close()


@pytest.mark.parametrize(("width_name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_pages_pass_the_accessibility_checks(
    browser: Any, live_server: Any, world: dict[str, Any], chat_gateway: Any, width_name: str, viewport: Any
) -> None:
    base = live_server.url
    pages = [
        ("home", None, "/", None),
        ("room", world["viewer"], world["room"].url, "[data-chat-status].is-connected"),
        ("login", None, "/login?next=/wallet", None),
        ("signup", None, "/signup", None),
        ("wallet", world["viewer"], "/wallet", None),
        ("home-signed-in", world["viewer"], "/?tag=music", None),
        ("not-found", None, "/no/such/page", None),
    ]
    for name, user, path, ready in pages:
        context = new_context(browser, base, viewport, user)
        try:
            page = context.new_page()
            console = watch_console(page)
            response = page.goto(f"{base}{path}")
            assert response is not None and response.status == (404 if name == "not-found" else 200), name
            if ready:
                page.locator(ready).wait_for()
            page.wait_for_load_state("networkidle")
            shot(page, f"{name}-{width_name}")
            if name == "not-found":  # the 404 itself is a console error; the page is checked, not that
                console.clear()
            assert_accessible(page, console, where=f"{name} at {width_name} width")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        finally:
            context.close()


def test_the_accessibility_checks_catch_what_they_look_for(browser: Any, live_server: Any) -> None:
    from stagedoor.web.tests.a11y import a11y_check

    context = new_context(browser, live_server.url, DESKTOP)
    try:
        page = context.new_page()
        console = watch_console(page)
        page.goto(f"{live_server.url}/login")
        assert a11y_check(page, console).problems() == []
        page.evaluate(
            """() => {
              const main = document.querySelector("main");
              const grey = document.createElement("p");
              grey.textContent = "grey on dark";
              grey.style.color = "#3a3a3a";
              const big = document.createElement("p");
              big.textContent = "large text passes at 3:1";
              big.style.cssText = "color: #7a7a7a; font-size: 32px";
              const faded = document.createElement("p");
              faded.textContent = "faded white";
              faded.style.cssText = "color: #fff; opacity: .2";
              const onGradient = document.createElement("p");
              onGradient.textContent = "white on a light gradient stop";
              onGradient.style.cssText = "color: #fff; background: linear-gradient(#000, #ffd)";
              const input = document.createElement("input");
              input.placeholder = "a placeholder is not a label";
              const hiddenText = document.createElement("p");
              hiddenText.textContent = "not rendered";
              hiddenText.style.cssText = "display: none; color: #111";
              main.append(grey, big, faded, onGradient, input, hiddenText);
              console.error("something broke");
            }"""
        )
        report = a11y_check(page, console)
        assert [x.split('"')[1] for x in report.low_contrast] == [
            "grey on dark",
            "faded white",
            "white on a light gradient stop",
        ]
        assert report.unlabelled == ["input"]
        assert report.console_errors == ["console: something broke"]
    finally:
        context.close()
