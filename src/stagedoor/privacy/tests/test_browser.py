"""In Chromium: a viewer asks for a copy of their data from their account page, gets the link by mail, downloads
the ZIP once; the second visit says the link was used. Labelled controls, contrast AA, no console errors."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest
from django.core import mail

from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_downloads_a_copy_of_their_data(browser: Any, live_server: Any, make_user: Any) -> None:
    from django.conf import settings
    from django.test import Client
    from playwright.sync_api import expect

    base = live_server.url
    viewer = consent(make_user("viewer", login="nora_exports", display_name="Nora Export"))
    client = Client()
    client.force_login(viewer, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(20_000)
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
    try:
        page.goto(f"{base}/account")
        page.get_by_test_id("privacy-link").click()
        expect(page).to_have_url(f"{base}/account/privacy")
        assert_accessible(page, console, where="privacy page")
        page.get_by_test_id("export-button").click()
        expect(page.get_by_text("we e-mailed you a link")).to_be_visible()
        expect(page.locator('[data-testid="privacy-request"][data-kind="export"]')).to_have_attribute(
            "data-status", "done"
        )
        assert len(mail.outbox) == 1
        link = re.search(r"https?://\S+/account/privacy/export/(\S+)", str(mail.outbox[0].body))
        assert link is not None
        url = f"{base}/account/privacy/export/{link.group(1)}"
        with page.expect_download() as info:
            page.evaluate("url => { const a = document.createElement('a'); a.href = url; a.click(); }", url)
        data = info.value.path().read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(data))
        account = json.loads(archive.read("accounts/account.json"))
        assert [(a["login"], a["display_name"]) for a in account] == [("nora_exports", "Nora Export")]
        page.goto(url)
        expect(page.get_by_test_id("export-link-invalid")).to_contain_text("already used")
    finally:
        context.close()
