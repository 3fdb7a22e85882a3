"""Fixtures for the media tests: the real SFU runtime (Janus started by `sfu_service`) on its own event loop in
a thread, Chromium with a fake camera, signed-in browser contexts, and live shows with their participants."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.conftest import CHROMIUM, CHROMIUM_ARGS, free_tcp_port, require_tool, skip_or_fail, udp_port_range

FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


class RunningSfu:
    """`stagedoor.shows.runtime.sfu_service` as `stagedoor run` embeds it, in a thread with its own loop."""

    def __init__(self) -> None:
        from stagedoor.shows import runtime

        self.loop = asyncio.new_event_loop()
        self.stop_event = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.task = asyncio.run_coroutine_threadsafe(self._run(runtime), self.loop)

    async def _run(self, runtime: Any) -> None:
        self.stop_event = asyncio.Event()
        await runtime.sfu_service(self.stop_event)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.task.result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


def janus_binary() -> str:
    found = shutil.which("janus") or shutil.which("janus", path="/usr/bin")
    if found is None:
        skip_or_fail(
            "janus is not installed", need="tool", fix="scripts/bootstrap.sh --test runs `apt-get install janus`."
        )
    return found


def wait_for(predicate: Any, timeout: float, what: str) -> Any:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def sfu(settings: Any) -> Iterator[RunningSfu]:
    from stagedoor.shows.sfu.registry import current_sfu

    binary = janus_binary()
    shows = dataclasses.replace(
        settings.STAGEDOOR.shows, janus_url="", janus_bin=binary, janus_port=free_tcp_port(), rtp_ports=udp_port_range()
    )
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, shows=shows)
    running = RunningSfu()
    try:
        wait_for(lambda: current_sfu() is not None or running.task.done(), 30, "janus to start")
        if running.task.done():
            running.task.result()
            raise AssertionError("the sfu service returned without starting janus")
        yield running
    finally:
        running.stop()
        assert current_sfu() is None


@pytest.fixture(scope="module")
def media_browser() -> Iterator[Any]:
    """Chromium with a fake camera and microphone, permission granted (launched like conftest's `browser`)."""
    import os

    require_tool(CHROMIUM, install_hint="chromium")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA_ARGS])
        yield instance
        instance.close()


def signed_in_page(browser: Any, base: str, user: Any) -> Any:
    """A page in a new context holding `user`'s session (consent recorded, so no entry gate)."""
    from django.conf import settings
    from django.test import Client

    from stagedoor.accounts.services import entry_consent_record

    entry_consent_record(
        user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="test"
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


def live_private_show(performer: Any, viewer: Any, *, paid_until: datetime | None = None, role: str = "viewer") -> Any:
    """A live private show with `viewer` in it, paid until `paid_until` (billing is the biller's job: these tests
    only need the state it leaves, so the rows are made directly)."""
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.shows.models import Participant, Show

    now = timezone.now()
    show = Show.objects.create(
        performer=performer,
        room=room_for_performer(performer=performer),
        kind="private",
        status="live",
        rate=60,
        requested_by=viewer,
        started_at=now,
    )
    Participant.objects.create(
        show=show,
        user=viewer,
        role=role,
        status="active",
        rate=60,
        paid_until=paid_until or now + timedelta(minutes=5),
        minutes_billed=1,
    )
    return show


VIDEO_PLAYING = """sel => { const v = document.querySelector(sel);
  return !!v && v.videoWidth > 0 && v.videoHeight > 0 && v.currentTime > 0.5; }"""
