"""In Chromium: a support agent signs in with two-factor, finds a viewer in the staff console and sees their
purchase; an administrator approves a performer application from the console. Desktop and phone widths,
with screenshots in test-results/console/, no console errors, every form control labelled, text contrast AA."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest

from stagedoor.conftest import TEST_PASSWORD
from stagedoor.web.tests.a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "console"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _checked_page(context: Any) -> tuple[Any, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    return page, errors


def _audit_page(page: Any, name: str) -> None:
    """Screenshot, then the page checks: every control labelled, contrast AA, nothing wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")
    assert_accessible(page, where=name)  # console errors are asserted per context, an expected 403 among them
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: wider than {width}px"


def _sign_in(page: Any, base: str, user: Any, *, next_path: str) -> None:
    """The way a person arrives: the page asks for the age check, then the login, then the two-factor code."""
    page.goto(f"{base}{next_path}")
    if "/enter" in page.url:
        page.check("input[name=age_confirmed]")
        page.check("input[name=terms_accepted]")
        page.click("[data-testid=enter-submit]")
    page.wait_for_url(f"{base}/login?next=**")
    page.get_by_label("Login or e-mail").fill(user.login)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/login/2fa")
    page.get_by_label("Code").fill(pyotp.TOTP(user.totp_secret).now())
    page.click("[data-testid=otp-submit]")
    page.wait_for_url(f"{base}{next_path}")


def test_support_finds_a_purchase_and_an_admin_approves_an_application(
    browser: Any, live_server: Any, make_user: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.accounts.roles import Role
    from stagedoor.payments import services as payment_services
    from stagedoor.verification import services as verification_services
    from stagedoor.verification.models import PerformerApplication
    from stagedoor.verification.tests.conftest import drawn_image
    from stagedoor.wallet import services as wallet_services

    settings.STAGEDOOR_PAYMENTS_SANDBOX = "true"
    base = live_server.url
    finance = make_user("finance")
    package = wallet_services.package_create(actor=finance, name="Starter", tokens=100, price_minor=999, currency="USD")
    vic = make_user("viewer", login="vic_viewer", display_name="Vic Viewer")
    purchase = payment_services.purchase_start(
        buyer=vic, package_id=package.pk, provider="sandbox", idempotency_key="browser-console-01"
    )
    payment_services.sandbox_decide(actor=vic, purchase_id=purchase.pk, decision="approve")
    purchase.refresh_from_db()
    assert purchase.status == "completed"
    hopeful = make_user("viewer", login="hopeful_hana")
    application = verification_services.performer_apply(
        user=hopeful,
        stage_name="Hana Nova",
        legal_name="Hana Example",
        date_of_birth="1993-02-11",
        country="DE",
        method="manual",
    )
    assert application.verification is not None
    for kind in ("id_front", "selfie"):
        verification_services.document_add(
            user=hopeful, verification_id=application.verification.pk, kind=kind, data=drawn_image()
        )
    verification_services.verification_submit(user=hopeful, verification_id=application.verification.pk)
    agent = make_user("support_l1", login="sam_support")
    admin = make_user("admin", login="ada_admin")

    # --- a support agent, on a desktop ----------------------------------------------------------
    desk = browser.new_context(viewport=DESKTOP)
    desk.set_default_timeout(15000)
    try:
        page, errors = _checked_page(desk)
        _sign_in(page, base, agent, next_path="/staff/")
        expect(page.get_by_test_id("console-nav-users")).to_be_visible()
        expect(page.get_by_test_id("console-nav-streams")).to_be_visible()
        expect(page.get_by_test_id("console-nav-applications")).to_have_count(0)  # not support's to decide
        _audit_page(page, "01-support-home-desktop")

        page.get_by_test_id("home-search").fill("vic")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(f"{base}/staff/users/?q=vic")
        _audit_page(page, "02-support-search-desktop")
        page.get_by_test_id("person-vic_viewer").click()
        page.wait_for_url(f"{base}/staff/users/{vic.pk}/")
        purchases = page.get_by_test_id("panel-purchases")
        expect(purchases.get_by_test_id("person-purchase")).to_have_attribute("data-status", "completed")
        expect(purchases).to_contain_text("Paid")
        expect(purchases).to_contain_text("9.99 USD")
        expect(page.get_by_test_id("panel-wallet")).to_have_count(0)  # tier 1 does not see wallets
        _audit_page(page, "03-support-person-desktop")
        state = desk.storage_state()
        assert errors == []
    finally:
        desk.close()

    # --- the same agent on a phone --------------------------------------------------------------
    phone = browser.new_context(viewport=PHONE, storage_state=state, is_mobile=True, has_touch=True)
    phone.set_default_timeout(15000)
    try:
        page, errors = _checked_page(phone)
        page.goto(f"{base}/staff/")
        _audit_page(page, "04-support-home-phone")
        page.goto(f"{base}/staff/users/{vic.pk}/")
        expect(page.get_by_test_id("person-purchase")).to_have_attribute("data-status", "completed")
        _audit_page(page, "05-support-person-phone")
        assert errors == []
        page.goto(f"{base}/staff/applications/")  # not for support: the site's page, with a way back
        expect(page.get_by_test_id("console-refused")).to_have_attribute("data-status", "403")
        _audit_page(page, "05b-support-refused-phone")
        assert errors == ["console: Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    finally:
        phone.close()

    # --- an administrator approves the application, on a phone, then looks on a desktop ------------
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.set_default_timeout(15000)
    try:
        page, errors = _checked_page(phone)
        _sign_in(page, base, admin, next_path="/staff/applications/")
        row = page.get_by_test_id("application-hopeful_hana")
        expect(row).to_contain_text("Hana Nova")
        _audit_page(page, "06-admin-applications-phone")
        row.get_by_label("Reason for Hana Nova").fill("ID checked")
        row.get_by_test_id("approve-hopeful_hana").click()
        page.wait_for_url(f"{base}/staff/applications/")
        expect(page.locator(".flash-success")).to_contain_text("Hana Nova (hopeful_hana) approved")
        expect(page.get_by_test_id("application-hopeful_hana")).to_have_count(0)  # no longer pending
        _audit_page(page, "07-admin-approved-phone")
        state = phone.storage_state()
        assert errors == []
    finally:
        phone.close()
    application.refresh_from_db()
    hopeful.refresh_from_db()
    assert (application.status, application.note, application.decided_by_id) == ("approved", "ID checked", admin.pk)
    assert (hopeful.role, hopeful.display_name) == (Role.PERFORMER, "Hana Nova")

    desk = browser.new_context(viewport=DESKTOP, storage_state=state)
    desk.set_default_timeout(15000)
    try:
        page, errors = _checked_page(desk)
        page.goto(f"{base}/staff/applications/?status=approved")
        expect(page.get_by_test_id("application-hopeful_hana")).to_contain_text("ID checked")
        _audit_page(page, "08-admin-approved-desktop")
        page.goto(f"{base}/staff/users/{hopeful.pk}/")
        expect(page.get_by_test_id("person-role")).to_have_text("Performer")
        expect(page.get_by_test_id("person-trail")).to_contain_text("performer.application_approved")
        _audit_page(page, "09-admin-person-desktop")
        # every other section, as an administrator sees it: labelled, AA contrast, no errors
        page.goto(f"{base}/staff/audit/?verify=1")
        expect(page.get_by_test_id("audit-report")).to_have_attribute("data-ok", "true")
        slugs = ["packages", "promotions", "refunds", "postbacks", "streams", "audit", "age-policy", "broadcasts"]
        for n, slug in enumerate([*slugs, "recoveries"], start=10):
            page.goto(f"{base}/staff/{slug}/" + ("?q=vic_viewer" if slug == "refunds" else ""))
            expect(page.get_by_test_id(f"console-nav-{slug}")).to_have_attribute("aria-current", "page")
            _audit_page(page, f"{n}-admin-{slug}-desktop")
        assert errors == []
    finally:
        desk.close()
    assert PerformerApplication.objects.get().status == "approved"
