"""Two Chromium pages on a room: they chat, and the chat host moderates the viewer."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from stagedoor.conftest import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class GatewayThread(threading.Thread):
    """The gateway as `stagedoor run` builds it, in its own loop next to the live server."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.stop_event: asyncio.Event | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.main())

    async def main(self) -> None:
        from stagedoor.chat import runtime
        from stagedoor.chat.django_gateway import build_gateway
        from stagedoor.chat.gateway import start_chat_gateway

        runtime.set_bus(None)
        gw = build_gateway()
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        runtime.set_bus(gw.bus, self.loop)
        self.port = running.port
        self.stop_event = asyncio.Event()
        self.ready.set()
        await self.stop_event.wait()
        await running.close()
        runtime.set_bus(None)

    def stop(self) -> None:
        if self.stop_event is not None:
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.join(timeout=10)


def sign_in(page: Any, base: str, login: str) -> None:
    page.goto(f"{base}/")
    if "/enter" in page.url:
        page.get_by_label("I am 18 or older").check()
        page.get_by_label("I accept the terms").check()
        page.get_by_test_id("enter-submit").click()
        page.wait_for_url(f"{base}/")
    page.goto(f"{base}/login")
    page.get_by_label("Login or e-mail").fill(login)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/")


def test_two_pages_chat_and_host_moderates_viewer(
    browser: Any, page: Any, live_server: Any, make_user: Any, settings: Any
) -> None:
    from stagedoor.chat.models import ChatModerationAction
    from stagedoor.chat.services import chat_host_add
    from stagedoor.rooms.services import room_for_performer

    star = make_user("performer", login="starlet")
    room = room_for_performer(performer=star)
    host = make_user("viewer", login="hosty")
    fan = make_user("viewer", login="fanny")
    chat_host_add(actor=star, room=room, user=host)

    gateway = GatewayThread()
    gateway.start()
    assert gateway.ready.wait(10)
    settings.STAGEDOOR_CHAT_URL = f"ws://127.0.0.1:{gateway.port}/"
    fan_context = browser.new_context(viewport={"width": 1280, "height": 800})
    fan_context.set_default_timeout(15000)
    fan_page = fan_context.new_page()
    fan_errors: list[str] = []
    fan_page.on("pageerror", lambda exc: fan_errors.append(str(exc)))
    try:
        base = live_server.url
        sign_in(page, base, "hosty")
        sign_in(fan_page, base, "fanny")
        for p in (page, fan_page):
            p.goto(f"{base}/r/{room.slug}")
            p.locator("[data-chat-status].is-connected").wait_for()  # CSP forbids eval: no wait_for_function

        # presence (every 2 s) reaches the panel and the room page's viewer count
        page.locator("[data-chat-presence]").filter(has_text="2").wait_for()
        page.get_by_test_id("viewer-count").filter(has_text="2").wait_for()

        # chatting, with the mention highlighted for the one mentioned
        fan_page.get_by_test_id("chat-input").fill("hello @hosty, great show")
        fan_page.get_by_test_id("chat-send").click()
        mine = page.get_by_test_id("chat-message").filter(has_text="great show")
        mine.wait_for()
        assert "mentions-me" in (mine.get_attribute("class") or "")
        assert mine.locator(".chat-author").inner_text() == "fanny"
        assert "chat-role-viewer" in (mine.locator(".chat-author").get_attribute("class") or "")
        page.get_by_test_id("chat-input").fill("welcome fanny")
        page.get_by_test_id("chat-send").click()
        fan_page.get_by_test_id("chat-message").filter(has_text="welcome fanny").wait_for()
        host_line = fan_page.get_by_test_id("chat-message").filter(has_text="welcome fanny")
        assert "chat-role-chat_host" in (host_line.locator(".chat-author").get_attribute("class") or "")
        # the viewer has no moderation menu; the host does
        assert fan_page.locator(".chat.can-moderate").count() == 0
        assert page.locator(".chat.can-moderate").count() == 1

        # the host deletes the viewer's line: gone on both pages
        mine.hover()
        mine.get_by_test_id("chat-more").click()
        page.get_by_test_id("mod-delete").click()
        fan_page.get_by_test_id("chat-message").filter(has_text="great show").wait_for(state="detached")
        page.get_by_test_id("chat-message").filter(has_text="great show").wait_for(state="detached")

        # the viewer writes again and is timed out for a minute
        fan_page.get_by_test_id("chat-input").fill("second try")
        fan_page.get_by_test_id("chat-send").click()
        second = page.get_by_test_id("chat-message").filter(has_text="second try")
        second.wait_for()
        second.hover()
        second.get_by_test_id("chat-more").click()
        page.get_by_test_id("mod-timeout-60").click()
        fan_page.get_by_text("fanny was timed out for 1 min").wait_for()
        fan_page.get_by_test_id("chat-input").fill("let me talk")
        fan_page.get_by_test_id("chat-send").click()
        fan_page.get_by_test_id("chat-error").filter(has_text="timed out").wait_for()
        assert page.get_by_test_id("chat-message").filter(has_text="let me talk").count() == 0

        actions = list(
            ChatModerationAction.objects.order_by("created_at").values_list("action", "actor_id", "target_user_id")
        )
        assert [a for a, _, _ in actions] == ["delete", "timeout"]
        assert actions[1][1:] == (host.pk, fan.pk)
        assert page.js_errors == [] and fan_errors == []
    finally:
        fan_context.close()
        gateway.stop()
