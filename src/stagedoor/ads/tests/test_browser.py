"""In Chromium: a banner appears on the directory; it counts one impression only once it is scrolled into view (and
stays there for the viewable second); clicking it goes through the redirect to the advertiser and counts one click.
The page stays accessible with the ad and logs no console error (the CSP included). Screenshots in
test-results/ads/."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from stagedoor.ads.models import AdEvent, Campaign, DailyReport
from stagedoor.ads.tests.conftest import DESKTOP_UA
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "ads"
ADVERTISER_PAGE = "<!doctype html><html lang=en><title>Lumen</title><h1>Lumen spring sale</h1></html>"


def _wait_for(condition: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class _Advertiser(BaseHTTPRequestHandler):
    """The advertiser's landing page: a real HTTP server on loopback (their site is a third party's)."""

    def do_GET(self) -> None:
        body = ADVERTISER_PAGE.encode()
        self.send_response(200 if self.path == "/spring" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def advertiser_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Advertiser)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _counts(campaign: Campaign) -> tuple[int, int]:
    row = DailyReport.objects.filter(campaign=campaign, slot="directory").first()
    return (row.impressions, row.clicks) if row else (0, 0)


def test_a_directory_banner_counts_one_impression_in_view_and_one_click(
    browser: Any,
    live_server: Any,
    advertiser_site: str,
    make_user: Callable[..., Any],
    make_campaign: Callable[..., Campaign],
) -> None:
    from django.conf import settings
    from django.test import Client

    campaign = make_campaign(slots=["directory"], click_url=f"{advertiser_site}/spring")
    person = consent(make_user(login="mira_viewer"))
    client = Client()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    # a short window, so the slot under the directory starts out of view; a browser's own user agent (headless
    # Chromium says "HeadlessChrome", which the click filter rightly takes for a bot)
    context = browser.new_context(viewport={"width": 1280, "height": 300}, user_agent=DESKTOP_UA)
    context.set_default_timeout(20_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    console = watch_console(page)
    try:
        page.goto(f"{live_server.url}/")
        link = page.locator('[data-testid="ad-slot-directory"] [data-testid="ad-link"]')
        link.wait_for(state="attached")
        img = link.locator("img")
        assert img.get_attribute("alt") == "Lumen headsets: spring sale"
        _wait_for(lambda: img.evaluate("(el) => el.complete && el.naturalWidth === 728"), "the banner to load")
        box = page.locator('[data-testid="ad-slot-directory"]').bounding_box()
        assert box is not None and box["y"] > 300, box  # below the fold: not seen yet
        assert _counts(campaign) == (0, 0)

        page.locator('[data-testid="ad-slot-directory"]').scroll_into_view_if_needed()
        page.wait_for_selector('[data-testid="ad-slot-directory"][data-ad-seen="true"]')
        assert _wait_for(lambda: _counts(campaign) == (1, 0), "one impression") is True
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "directory-ad.png"), full_page=True)
        assert_accessible(page, console, where="directory with an ad")

        with page.expect_navigation(url=f"{advertiser_site}/spring"):
            link.click()
        assert page.locator("h1").inner_text() == "Lumen spring sale"
        assert _wait_for(lambda: _counts(campaign) == (1, 1), "one click") is True
        events = list(AdEvent.objects.order_by("kind").values_list("kind", "user_id"))
        assert events == [("click", person.pk), ("impression", person.pk)]
    finally:
        context.close()
