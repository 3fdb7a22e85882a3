"""In Chromium: a viewer turns on notifications on the account page (the page registers the real service worker
and tries pushManager.subscribe, which cannot reach a push service offline), the browser's subscription (keys made
by the test, endpoint on the fake push service) is saved through the API, the followed performer goes live, the
fake push service receives pywebpush's encrypted request and decrypts it, and the decrypted message is handed to
the real service worker over the DevTools protocol (`ServiceWorker.deliverPushMessage`): the notification shows."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stagedoor.rooms import services as room_services
from stagedoor.rooms.models import Room
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "notifications"


def wait_for[T](probe: Callable[[], T | None], what: str, timeout: float = 20.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_viewer_sees_a_go_live_push_from_the_service_worker(
    browser: Any, live_server: Any, make_user: Any, room: Room, push_service: Any
) -> None:
    from django.conf import settings
    from django.test import Client

    viewer = consent(make_user(login="ada"))
    room_services.room_follow(user=viewer, room=room)
    client = Client()
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    context.grant_permissions(["notifications"], origin=base)
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
    console = watch_console(page)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    cdp = context.new_cdp_session(page)
    registrations: dict[str, str] = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.update({r["scopeURL"]: r["registrationId"] for r in e["registrations"]}),
    )
    cdp.send("ServiceWorker.enable")

    page.goto(f"{base}/account")
    status = page.get_by_test_id("push-status")
    page.locator("[data-push][data-push-ready='1']").wait_for()
    assert status.inner_text() == "Notifications are off in this browser."
    page.get_by_test_id("push-on").click()
    # offline, Chromium's pushManager.subscribe cannot reach its push service: the page says so and stays usable
    said = wait_for(lambda: (t := status.inner_text()) != "Turning on…" and t, "the page's answer")
    assert said.startswith("Notifications could not be turned on: ") or said == "Notifications are on in this browser."
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "account-card.png"), full_page=True)
    # headless Chromium's own note that it has no push service here (crbug.com/41124656) is not the page's error
    console[:] = [e for e in console if "does not support the Push API" not in e]
    assert missing == []
    assert_accessible(page, console, where="account page, notifications card")

    # the browser's subscription, as pushManager.subscribe would have given it, saved through the API
    sub = push_service.subscription("ada")
    saved = page.evaluate(
        """async (body) => {
            const csrf = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const r = await fetch('/api/v1/notifications/devices', {method: 'POST', body: JSON.stringify(body),
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf}});
            return r.status;
        }""",
        sub.as_json(),
    )
    assert saved == 201

    room_services.room_set_status(room=room, status=Room.Status.LIVE)

    payload = wait_for(lambda: push_service.payloads("ada"), "the push at the fake push service")[0]
    assert (payload["title"], payload["body"], payload["url"]) == (
        "Lumen Vale is live",
        "Late-night synth jam",
        "/r/lumen-vale",
    )
    registration_id = wait_for(lambda: registrations.get(f"{base}/"), "the service worker's registration")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": base, "registrationId": registration_id, "data": json.dumps(payload)},
    )
    shown = wait_for(
        lambda: page.evaluate(
            """() => navigator.serviceWorker.ready
                .then((r) => r.getNotifications())
                .then((ns) => ns.map((n) => [n.title, n.body, n.tag, n.data.url]))"""
        ),
        "the notification",
    )
    assert shown == [["Lumen Vale is live", "Late-night synth jam", f"live-{room.id}", "/r/lumen-vale"]]
    context.close()
