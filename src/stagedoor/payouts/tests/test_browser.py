"""In Chromium: a performer adds a payout method (a wrong IBAN checksum first, then a good one) and sees it masked
with its history; a compliance officer clears the resulting screening case from the queue. Every page checked:
controls labelled, contrast AA, nothing wider than the screen (1280×800 and 390×844); screenshots go to
test-results/payouts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stagedoor.payouts.models import ScreeningCase
from stagedoor.payouts.tests.helpers import IBAN, IBAN_BAD, performer_named
from stagedoor.web.tests.a11y import assert_accessible
from stagedoor.web.tests.test_browser_console import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "payouts"


def _audit(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, caret="initial")
    assert_accessible(page, where=name)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: wider than {width}px"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
def test_payout_method_and_clearance_in_the_browser(
    browser: Any, live_server: Any, make_user: Any, viewport: dict[str, int]
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    performer = performer_named(make_user, "Ivo Demo Krasnov", mfa=True)
    room_for_performer(performer=performer)
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    _sign_in(page, base, performer, next_path="/studio")
    expect(page.get_by_test_id("studio-payout-method")).to_contain_text("No payout method yet")
    page.get_by_test_id("payout-method-link").click()
    page.wait_for_url(f"{base}/studio/payout-method")
    page.get_by_label("Bank transfer (SEPA)").check()
    page.get_by_label("Account holder").fill("Ivo Demo Krasnov")
    page.get_by_label("IBAN (bank transfer)").fill(IBAN_BAD)
    page.get_by_test_id("payout-method-save").click()
    expect(page.get_by_test_id("error-iban")).to_contain_text("fails its checksum")
    _audit(page, f"payout-method-error-{viewport['width']}")
    page.get_by_label("IBAN (bank transfer)").fill(IBAN)
    page.get_by_test_id("payout-method-save").click()
    expect(page.get_by_test_id("payout-current-masked")).to_have_text("DE89 •••• 3000")
    expect(page.get_by_test_id("payout-history")).to_contain_text("current")
    expect(page.get_by_test_id("payout-blockers")).to_contain_text("waits for clearance")
    _audit(page, f"payout-method-{viewport['width']}")
    context.close()

    officer = make_user("compliance", mfa=True)
    staff_context = browser.new_context(viewport=viewport)
    staff_context.set_default_timeout(15000)
    staff_page = staff_context.new_page()
    staff_page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    _sign_in(staff_page, base, officer, next_path="/staff/sanctions/")
    case = ScreeningCase.objects.get()
    row = staff_page.get_by_test_id(f"case-{case.pk}")
    expect(row).to_contain_text("KRASNOV, Ivo Demo")
    _audit(staff_page, f"sanctions-queue-{viewport['width']}")
    row.get_by_label("Clear (false positive)").check()
    row.get_by_label("Reason").fill("Different person: date of birth differs")
    staff_page.get_by_test_id(f"decide-{case.pk}").click()
    expect(staff_page.get_by_test_id("sanctions-cases")).to_contain_text("No cases here.")
    staff_context.close()
    case.refresh_from_db()
    assert (case.status, case.decided_by_label) == ("cleared", officer.login)
    assert errors == []
