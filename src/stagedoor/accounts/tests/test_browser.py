"""In Chromium with a virtual authenticator (CDP WebAuthn domain): a person adds a passkey on their security page,
signs out, and signs in again with password + passkey; the security page lists this session and no console error."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from stagedoor.accounts.models import Passkey, UserSession
from stagedoor.conftest import TEST_PASSWORD
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_add_a_passkey_then_sign_in_with_it(browser: Any, live_server: Any, make_user: Any, settings: Any) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")  # WebAuthn needs a domain; localhost is one
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, base_url=base)
    user = consent(make_user(login="quill"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    console = watch_console(page)
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    def sign_in_with_password() -> None:
        page.request.post(f"{base}/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True})
        page.goto(f"{base}/login?next=/account/security")
        page.fill("#id_login", user.login)
        page.fill("#id_password", TEST_PASSWORD)
        page.click("[data-testid=login-submit]")

    sign_in_with_password()
    page.wait_for_url("**/account/security")
    page.fill("#passkey-name", "Virtual key")
    page.click("[data-testid=passkey-add]")
    page.wait_for_selector("[data-testid=passkey-row]")
    assert "Virtual key" in page.inner_text("[data-testid=passkeys]")
    assert page.is_visible("[data-testid=passkey-recovery-codes]")  # the first second factor: codes, once
    assert Passkey.objects.filter(user=user).count() == 1
    assert_accessible(page, console, where="security page")

    context.clear_cookies()
    sign_in_with_password()
    page.wait_for_url("**/login/2fa")
    page.click("[data-testid=passkey-login]")
    page.wait_for_url("**/account/security")
    assert page.is_visible("[data-testid=this-device]")
    assert Passkey.objects.get(user=user).last_used_at is not None
    assert UserSession.objects.filter(user=user, method="passkey", ended_at__isnull=True).count() == 1
    assert console == []
    context.close()
