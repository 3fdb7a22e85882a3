"""The issue's browser test, end to end through the real pages, in Chromium with a fake camera and the real Janus:

a performer goes live in their public room from the studio's "Go live from your browser" card (the room goes
live); a funded viewer asks for a private show from the room's show card; the performer accepts in the studio;
both land on the show page, whose live video card publishes the performer's camera and plays it to the viewer;
the viewer turns on their camera and the performer receives it (cam-to-cam); the biller charges each (short)
minute; the viewer sees the low-funds warning, then the funds run out: the viewer is dropped, their page says so,
their media sessions are closed within seconds, the minutes are contiguous, they add up to what left the wallet,
and the ledger verifies. Every page is checked for labels, contrast and console errors at each step."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stagedoor.conftest import free_tcp_port, udp_port_range
from stagedoor.shows.models import MediaSession, Participant, Show, ShowMinute
from stagedoor.shows.tests.conftest import shows_settings
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems
from stagedoor.web.tests.a11y import assert_accessible, watch_console

from .media_fixtures import VIDEO_PLAYING, RunningSfu, janus_binary, media_browser, signed_in_page, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["media_browser"]  # fixtures

MINUTE_S = 4
RATE = 60  # the performer's default private rate
PAID_MINUTES = 8  # the wallet pays this many minutes (about half a minute of show), then falls short
LEFTOVER = 30  # less than a minute: what is left when the viewer is dropped
SHOTS = Path(__file__).resolve().parents[4] / "test-results" / "shows-e2e"


@pytest.fixture
def sfu_e2e(settings: Any) -> Iterator[RunningSfu]:
    """The embedded SFU service on this test's ports (media_fixtures' `sfu`, with other ports)."""
    from stagedoor.shows.sfu.registry import current_sfu

    shows_settings(
        settings, janus_url="", janus_bin=janus_binary(), janus_port=free_tcp_port(), rtp_ports=udp_port_range()
    )
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


@pytest.fixture
def ingest(settings: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Any]:
    """The real RTMP ingest in this process, as `stagedoor run` embeds it (browser broadcasts feed it)."""
    from stagedoor.streaming import local_ingest
    from stagedoor.streaming.tests.test_browser_player import ThreadedIngest

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path)
    running = ThreadedIngest(tmp_path, grace_s=2)
    monkeypatch.setattr(local_ingest, "_current", running.server)
    try:
        yield running
    finally:
        running.stop()


class BillerThread:
    """The biller as `stagedoor run` embeds it: a pass (`shows.tasks.bill_pass`) every half second."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.failures: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from django.db import connection

        from stagedoor.shows.tasks import bill_pass

        try:
            while not self.stop_event.is_set():
                try:
                    bill_pass()
                except Exception as exc:  # reported by the fixture, not swallowed
                    self.failures.append(exc)
                self.stop_event.wait(0.5)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(10)


@pytest.fixture
def biller(settings: Any) -> Iterator[BillerThread]:
    shows_settings(settings, minute_seconds=MINUTE_S)
    running = BillerThread()
    try:
        yield running
    finally:
        running.stop()
    assert running.failures == []


def checked(page: Any, console: list[str], where: str) -> None:
    """A screenshot, then labels, contrast and no console errors so far on this page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{where}.png"), full_page=True, caret="initial")
    assert_accessible(page, console, where=where)


def frames_advance(page: Any, selector: str, seconds: float = 1.0) -> None:
    """The element's video is decoded and keeps playing: a picture, and currentTime moving on by `seconds`."""
    page.wait_for_function(VIDEO_PLAYING, arg=selector, timeout=30000, polling=100)
    t0 = page.evaluate("sel => document.querySelector(sel).currentTime", selector)
    page.wait_for_function(
        "([sel, t]) => document.querySelector(sel).currentTime > t", arg=[selector, t0 + seconds], timeout=15000
    )
    width = page.evaluate("sel => document.querySelector(sel).videoWidth", selector)
    assert width > 0


def test_private_show_from_the_studio_to_the_drop(
    media_browser: Any,
    live_server: Any,
    chat_gateway: Any,
    ingest: Any,
    sfu_e2e: RunningSfu,
    biller: BillerThread,
    make_user: Any,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_for_performer

    base = live_server.url
    nova = make_user("performer", login="nova", display_name="Nova")
    room = room_for_performer(performer=nova)
    sam = make_user("viewer", login="sam")
    fund_wallet(sam, RATE * PAID_MINUTES + LEFTOVER)
    funded = wallet_selectors.wallet_balance(sam)

    performer = signed_in_page(media_browser, base, nova)
    viewer = signed_in_page(media_browser, base, sam)
    pconsole, vconsole = watch_console(performer), watch_console(viewer)
    try:
        # 1. the performer goes live in the public room from the studio, no encoder
        performer.goto(f"{base}/studio")
        performer.get_by_test_id("browser-live-start").click()
        expect(performer.get_by_test_id("browser-live-status")).to_have_text(
            "Live: your room is on air.", timeout=30000
        )
        wait_for(lambda: Room.objects.get(pk=room.pk).status == "live", 60, "the room to go live")
        playlist = tmp_path / room.slug / "src" / "index.m3u8"  # the ladder has segments to play
        wait_for(lambda: playlist.exists() and playlist.read_text().count("#EXTINF") >= 2, 60, "HLS segments")
        checked(performer, pconsole, "studio-on-air")

        # 2. the viewer asks for a private show from the room's show card
        viewer.goto(f"{base}{room.url}")
        card = viewer.get_by_test_id("show-card")
        expect(card).to_be_visible()
        checked(viewer, vconsole, "room-live")
        viewer.get_by_test_id("show-request-private").click()
        expect(viewer.get_by_test_id("show-status")).to_have_text("Requested")
        show = Show.objects.get(room=room)
        assert viewer.url == f"{base}/shows/{show.pk}"
        checked(viewer, vconsole, "show-requested")

        # 3. the performer accepts in the studio and lands on the show page; so does the viewer, by itself
        performer.goto(f"{base}/studio")
        expect(performer.get_by_test_id("studio-requests")).to_contain_text("sam")
        performer.get_by_test_id("request-accept").click()
        expect(performer.get_by_test_id("show-status")).to_have_text("Live")
        assert performer.url == f"{base}/shows/{show.pk}"
        expect(viewer.get_by_test_id("show-status")).to_have_text("Live", timeout=15000)

        # 4. media both ways: the performer's camera reaches the viewer under their watermark
        wait_for(
            lambda: MediaSession.objects.filter(show=show, user=nova, role="publish", closed_at=None).exists(),
            30,
            "the performer's WHIP session from the show page",
        )
        frames_advance(viewer, "[data-stage-main]")
        seat = Participant.objects.get(show=show, user=sam)
        expect(viewer.locator("canvas.sd-watermark")).to_have_attribute("data-watermark", seat.watermark)
        checked(viewer, vconsole, "show-viewer-live")
        # cam-to-cam: the viewer turns on their camera, the performer's page plays it
        viewer.get_by_test_id("stage-camera").click()
        wait_for(lambda: Participant.objects.get(pk=seat.pk).cam_on, 20, "the viewer's camera on")
        frames_advance(performer, f"video[data-cam-of='{sam.pk}']")
        checked(performer, pconsole, "show-performer-cam2cam")

        # 5. minutes are billed while the show runs, the warning comes, then the drop
        expect(viewer.get_by_test_id("low-funds")).to_be_visible(timeout=PAID_MINUTES * MINUTE_S * 1000 + 15000)
        checked(viewer, vconsole, "show-low-funds")
        # the viewer's last decoded frame, kept across the reload the drop causes
        viewer.evaluate(
            """sel => { const v = document.querySelector(sel);
               const tick = () => { sessionStorage.lastFrameAt = String(Date.now()); v.requestVideoFrameCallback(tick); };
               v.requestVideoFrameCallback(tick); }""",
            "[data-stage-main]",
        )
        expect(viewer.get_by_test_id("seat-status")).to_have_text("Dropped (funds ran out)", timeout=MINUTE_S * 4000)
        expect(viewer.get_by_test_id("seat-reason")).to_have_text("funds")
        expect(viewer.locator("[data-sd-stage]")).to_have_count(0)
        checked(viewer, vconsole, "show-dropped")

        seat = Participant.objects.get(pk=seat.pk)
        assert seat.status == "dropped" and seat.leave_reason == "funds" and seat.left_at is not None
        assert Show.objects.get(pk=show.pk).status == "ended"
        # media stops within seconds: every session of the show closed, the viewer's frames stopped
        wait_for(
            lambda: not MediaSession.objects.filter(show=show, closed_at=None).exists(),
            10,
            "the show's media sessions to close",
        )
        for session in MediaSession.objects.filter(show=show, user=sam):
            assert session.closed_at is not None
            assert (session.closed_at - seat.left_at).total_seconds() < 3, (session.role, session.close_reason)
        last_frame_ms = int(viewer.evaluate("Number(sessionStorage.lastFrameAt || 0)"))
        assert 0 < last_frame_ms / 1000 < seat.left_at.timestamp() + 3

        # the books: contiguous minutes, every one paid once, adding up to what left the wallet
        minutes = list(ShowMinute.objects.filter(participant=seat).order_by("minute"))
        assert [m.minute for m in minutes] == list(range(1, PAID_MINUTES + 1))
        assert all(m.amount == RATE for m in minutes)
        for before, after in itertools.pairwise(minutes):
            assert after.starts_at == before.ends_at
        assert all((m.ends_at - m.starts_at).total_seconds() == MINUTE_S for m in minutes)
        assert seat.minutes_billed == PAID_MINUTES
        spent = funded - wallet_selectors.wallet_balance(sam)
        assert spent == sum(m.amount for m in minutes) == RATE * PAID_MINUTES
        assert wallet_selectors.wallet_balance(sam) == LEFTOVER
        assert ledger_problems() == []

        viewer.get_by_test_id("statement-link").click()
        expect(viewer.get_by_test_id("statement-total")).to_have_text(str(RATE * PAID_MINUTES))
        checked(viewer, vconsole, "statement")
        performer.reload()
        expect(performer.get_by_test_id("show-status")).to_have_text("Ended")
        checked(performer, pconsole, "show-performer-ended")
        assert performer.js_errors == [] and viewer.js_errors == []
    finally:
        performer.context.close()
        viewer.context.close()


def test_the_show_page_runs_the_media_for_each_role(
    media_browser: Any, live_server: Any, chat_gateway: Any, sfu_e2e: RunningSfu, make_user: Any
) -> None:
    """The show page itself starts the media: the performer publishes, the private viewer watches and may turn
    on a camera, a spy (joining from the room's card) only watches — no camera button, no publishing."""
    from playwright.sync_api import expect

    from stagedoor.rooms.services import room_for_performer
    from stagedoor.shows import services

    base = live_server.url
    nova = make_user("performer", login="nova", display_name="Nova")
    room = room_for_performer(performer=nova)
    services.show_settings_update(performer=nova, spy_enabled=True, spy_rate=20)
    sam, sly = make_user("viewer", login="sam"), make_user("viewer", login="sly")
    fund_wallet(sam, RATE * 3)
    fund_wallet(sly, 100)
    show = services.private_request(viewer=sam, performer=nova)
    services.private_accept(performer=nova, show_id=show.pk)

    performer = signed_in_page(media_browser, base, nova)
    viewer = signed_in_page(media_browser, base, sam)
    spy = signed_in_page(media_browser, base, sly)
    consoles = {page: watch_console(page) for page in (performer, viewer, spy)}
    try:
        performer.goto(f"{base}/shows/{show.pk}")
        wait_for(
            lambda: MediaSession.objects.filter(show=show, user=nova, role="publish", closed_at=None).exists(),
            30,
            "the performer's WHIP session from the show page",
        )
        expect(performer.get_by_test_id("stage-camera")).to_be_hidden()

        viewer.goto(f"{base}/shows/{show.pk}")
        frames_advance(viewer, "[data-stage-main]")
        expect(viewer.get_by_test_id("stage-camera")).to_be_visible()

        spy.goto(f"{base}{room.url}")
        spy.get_by_test_id("show-spy").click()
        expect(spy.get_by_test_id("show-status")).to_have_text("Live")
        seat = Participant.objects.get(show=show, user=sly)
        assert (seat.role, seat.status, seat.rate) == ("spy", "active", 20)
        frames_advance(spy, "[data-stage-main]")
        expect(spy.locator("canvas.sd-watermark")).to_have_attribute("data-watermark", seat.watermark)
        expect(spy.get_by_test_id("stage-camera")).to_be_hidden()
        for page, where in ((performer, "performer"), (viewer, "viewer"), (spy, "spy")):
            checked(page, consoles[page], f"roles-{where}")
        # the spy's page opened a subscription and nothing else; the SFU refuses them a camera
        assert list(MediaSession.objects.filter(show=show, user=sly).values_list("role", flat=True)) == ["subscribe"]
        config = spy.evaluate(f"fetch('/shows/{show.pk}/media/config').then(r => r.json())")
        assert (config["role"], config["canPublish"]) == ("spy", False)
        assert performer.js_errors == [] and viewer.js_errors == [] and spy.js_errors == []
    finally:
        for page in (performer, viewer, spy):
            page.context.close()
