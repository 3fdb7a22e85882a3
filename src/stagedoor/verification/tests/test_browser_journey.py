"""The whole journey in Chromium: a performer without a verified identity pushes with an OBS-like ffmpeg and is
refused; the studio says why and links to the fix; they verify with the (fake) Veriff — our page, the vendor's
hosted page, its signed webhook to our server — and the same push then goes live."""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stagedoor.streaming import local_ingest
from stagedoor.streaming.tests.conftest import live_push_args
from stagedoor.streaming.tests.rtmp_client import wait_until
from stagedoor.streaming.tests.test_browser_player import ThreadedIngest, signed_in_context
from stagedoor.verification.tests.fake_vendors import FakeVendors, use_fake_vendors
from stagedoor.web.tests.a11y import assert_accessible, watch_console

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ingest(settings: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[ThreadedIngest]:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path / "media")
    running = ThreadedIngest(tmp_path / "media", grace_s=2)
    monkeypatch.setattr(local_ingest, "_current", running.server)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def live_vendors(settings: Any, live_server: Any) -> Iterator[FakeVendors]:
    fake = FakeVendors()
    fake.webhook_url = live_server.url  # the vendor calls our server, as in production
    use_fake_vendors(settings, fake.url)
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, base_url=live_server.url)  # the vendor's return URL
    try:
        yield fake
    finally:
        fake.close()


def push(port: int, key: str, seconds: float | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        live_push_args(f"rtmp://127.0.0.1:{port}/live/{key}", size="640x360", bitrate="800k", seconds=seconds),
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_refused_then_verified_through_the_vendor_then_live(
    browser: Any, live_server: Any, ingest: ThreadedIngest, live_vendors: FakeVendors, make_user: Any
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.streaming.services import stream_key_rotate
    from stagedoor.verification.models import PerformerStanding, Verification, WebhookEvent

    base = live_server.url
    nova = make_user("performer", login="nova_journey", display_name="Nova Journey", verified=False)
    room = room_for_performer(performer=nova)
    key = stream_key_rotate(user=nova)
    assert ingest.server.port is not None

    # --- before verification the ingest refuses the stream key ----------------------------------------------
    refused = push(ingest.server.port, key, seconds=4)
    _, stderr = refused.communicate(timeout=30)
    assert refused.returncode != 0, "ffmpeg should have been refused"
    assert b"Verify your identity before going live" in stderr, stderr  # the encoder is told why
    assert Room.objects.get(pk=room.pk).status == "offline"

    context = signed_in_context(browser, base, nova)
    try:
        page = context.new_page()
        console = watch_console(page)
        page.goto(f"{base}/studio")
        refusal = page.get_by_test_id("studio-refusal")
        expect(refusal).to_have_attribute("data-code", "verification.required")
        expect(refusal).to_contain_text("Verify your identity before going live")
        assert_accessible(page, console, where="studio, refused")
        page.get_by_test_id("studio-fix").click()
        page.wait_for_url(f"{base}/verify")
        expect(page.get_by_test_id("verify-standing")).to_have_attribute("data-state", "unverified")
        assert_accessible(page, console, where="verify, unverified")

        # --- our form, then the vendor's hosted page, then back ----------------------------------------------
        page.get_by_label("Legal name (as on your ID)").fill("Nova Example Journey")
        page.get_by_label("Date of birth").fill("1995-05-05")
        page.get_by_label("Country (two letters, e.g. DE)").fill("NL")
        page.get_by_label("Veriff: an online check").check()
        page.get_by_test_id("verify-start").click()
        page.wait_for_url(f"{base}/verify")
        continue_link = page.get_by_test_id("vendor-continue")
        expect(continue_link).to_have_attribute("href", f"{live_vendors.url}/v/{_only_session(live_vendors)}")
        continue_link.click()
        page.wait_for_url(f"{live_vendors.url}/v/**")
        page.get_by_test_id("vendor-approve").click()  # the vendor signs and sends its webhook, then sends us back
        page.wait_for_url(f"{base}/verify?v=**")
        expect(page.get_by_test_id("verify-standing")).to_have_attribute("data-state", "verified")
        assert_accessible(page, console, where="verify, verified")
        assert [d.status for d in live_vendors.delivered] == [200]
        verification = Verification.objects.get(user=nova)
        assert (verification.status, verification.method, verification.decided_by_label) == (
            "approved",
            "veriff",
            "vendor:veriff",
        )
        assert PerformerStanding.objects.get(user=nova).verification_id == verification.pk
        assert list(WebhookEvent.objects.values_list("outcome", flat=True)) == ["applied"]
        page.goto(f"{base}/studio")
        expect(page.get_by_test_id("studio-refusal")).to_have_count(0)
    finally:
        context.close()

    # --- the same key now goes live --------------------------------------------------------------------------
    encoder = push(ingest.server.port, key)
    try:
        wait_until(lambda: Room.objects.get(pk=room.pk).status == "live", 30, "the room to go live")
    finally:
        encoder.terminate()
        encoder.wait(10)
    assert console == []


def _only_session(vendors: FakeVendors) -> str:
    [session] = vendors.sessions.values()
    return session.id
