"""What a person sees: sign up, turn on two-factor, log out, log back in with a TOTP code."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_site(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/enter")
    page.get_by_label("I am 18 or older").check()
    page.get_by_label("I accept the terms").check()
    page.get_by_test_id("enter-submit").click()
    page.wait_for_url(f"{base}/")


def test_signup_two_factor_logout_login(page: Any, live_server: Any) -> None:
    from stagedoor.accounts.models import EntryConsent, User

    base = live_server.url
    enter_site(page, base)
    assert EntryConsent.objects.count() == 1

    page.goto(f"{base}/signup")
    page.get_by_label("Email").fill("rowan@example.test")
    page.get_by_label("Login").fill("rowan")
    page.get_by_label("Display name").fill("Rowan Vale")
    page.get_by_label("Password").fill("short")
    page.get_by_test_id("signup-submit").click()
    assert "too short" in page.get_by_test_id("error-password").inner_text()
    assert User.objects.count() == 0

    page.get_by_label("Password").fill("lantern-orchard-42")
    page.get_by_test_id("signup-submit").click()
    page.wait_for_url(f"{base}/account")
    assert page.get_by_test_id("mfa-status").inner_text() == "Off"

    page.get_by_test_id("mfa-setup-link").click()
    page.wait_for_url(f"{base}/account/2fa/setup")
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert page.locator("img[alt^='QR code']").count() == 1
    page.get_by_label("Code").fill("123456" if pyotp.TOTP(secret).now() != "123456" else "654321")
    page.get_by_test_id("mfa-confirm").click()
    assert "not valid" in page.get_by_test_id("form-error").inner_text()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("mfa-confirm").click()
    page.wait_for_url(f"{base}/account")
    assert page.get_by_test_id("mfa-status").inner_text() == "On"
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10

    page.get_by_test_id("account-link").click()  # the account menu holds "Log out"
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("link", name="Log in").is_visible()

    page.goto(f"{base}/login")
    page.get_by_label("Login or e-mail").fill("rowan@example.test")
    page.get_by_label("Password").fill("lantern-orchard-42")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/login/2fa")
    # The code used for set-up is spent; wait for the next time step rather than replaying it.
    user = User.objects.get(login="rowan")
    totp = pyotp.TOTP(secret)
    page.wait_for_function(
        "step => Math.floor(Date.now() / 30000) > step", arg=user.totp_last_step, timeout=35000, polling=500
    )
    page.get_by_label("Code").fill(totp.now())
    page.get_by_test_id("otp-submit").click()
    page.wait_for_url(f"{base}/")
    assert "Rowan Vale" in page.get_by_test_id("account-link").inner_text()
    assert page.js_errors == []
