"""In Chromium: a viewer watches a room fed by a real RTMP push (Debian's ffmpeg → our
ingest → ffmpeg ladder → embedded origin), switches quality by hand and sees the room go
offline; the performer's studio shows the stream's health and rotates the stream key."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stagedoor.streaming import local_ingest, runtime
from stagedoor.streaming.ingest import IngestConfig, IngestServer, ffmpeg_binary
from stagedoor.streaming.transcoder.ladder import LadderPreset
from stagedoor.web.tests.test_browser_auth import enter_site

from .conftest import live_push_args
from .rtmp_client import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ThreadedIngest:
    """The real ingest with the real database key check and room status callback, on its
    own event loop in a thread (the web side runs in live_server's thread)."""

    def __init__(self, media_root: Path, grace_s: float = 2) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = IngestServer(
            IngestConfig(
                media_root=media_root,
                host="127.0.0.1",
                port=0,
                grace_s=grace_s,
                preset=LadderPreset(thumbnail_every_s=1, sample_every_s=0),
                ffmpeg=ffmpeg_binary(),
                handshake_timeout_s=5,
            ),
            runtime.db_authorize,
            on_state_change=runtime._state_changed,
        )
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def grace_s() -> float:
    return 2


@pytest.fixture
def ingest(settings: Any, tmp_path: Path, monkeypatch: Any, grace_s: float) -> Iterator[ThreadedIngest]:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path)
    running = ThreadedIngest(tmp_path, grace_s)
    monkeypatch.setattr(local_ingest, "_current", running.server)  # what `stagedoor run` does
    try:
        yield running
    finally:
        running.stop()


def publish(port: int, key: str) -> subprocess.Popen[bytes]:
    """A 480p30 camera with a 1 s keyframe interval, as the studio recommends."""
    return subprocess.Popen(
        live_push_args(f"rtmp://127.0.0.1:{port}/live/{key}", size="854x480", bitrate="1200k", zerolatency=True),
        stdin=subprocess.DEVNULL,
    )


def signed_in_context(browser: Any, base: str, user: Any) -> Any:
    """A browser context holding `user`'s session (performers log in with two-factor;
    that flow has its own browser test)."""
    from django.conf import settings
    from django.test import Client

    from stagedoor.accounts.services import entry_consent_record

    entry_consent_record(
        user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="test"
    )
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    return context


def test_viewer_watches_switches_quality_renews_its_grant_and_sees_the_room_go_offline(
    page: Any, browser: Any, live_server: Any, ingest: ThreadedIngest, make_user: Any, settings: Any
) -> None:
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.streaming.services import stream_key_rotate

    settings.STAGEDOOR_PLAYBACK_TTL_S = 126  # the player renews 2 min before expiry: after 6 s
    base = live_server.url
    nova = make_user("performer", login="nova")
    room = room_for_performer(performer=nova)
    assert ingest.server.port is not None
    media_requests: list[str] = []
    page.on("request", lambda request: media_requests.append(request.url) if "/live/" in request.url else None)
    encoder = publish(ingest.server.port, stream_key_rotate(user=nova))
    try:
        wait_until(lambda: Room.objects.get(pk=room.pk).status == "live", 20, "the room to go live")

        enter_site(page, base)
        page.goto(f"{base}/r/nova")
        player = page.locator("[data-player]")
        page.wait_for_function(
            "() => document.querySelector('[data-player]').dataset.state === 'playing'", timeout=20000, polling=100
        )
        assert page.get_by_test_id("player-live-badge").is_visible()
        assert player.get_attribute("data-levels") == "240,480"  # hls.js orders levels by bitrate
        t0 = page.evaluate("document.querySelector('video').currentTime")
        page.wait_for_function(
            "t => document.querySelector('video').currentTime > t + 2", arg=t0, timeout=15000, polling=100
        )

        # manual quality: the menu lists the master playlist's levels; 240p switches now
        labels = page.get_by_test_id("player-quality").locator("option").all_inner_texts()
        assert labels[0].startswith("Auto") and [label.split(" ")[0] for label in labels[1:]] == ["480p", "240p"]
        page.get_by_test_id("player-quality").select_option(label=labels[2])
        page.wait_for_function(
            "() => document.querySelector('[data-player]').dataset.level === '240'", timeout=15000, polling=100
        )
        t1 = page.evaluate("document.querySelector('video').currentTime")
        page.wait_for_function(
            "t => document.querySelector('video').currentTime > t + 1", arg=t1, timeout=15000, polling=100
        )
        assert page.evaluate("window.stagedoorPlayer.hls.currentLevel") == 0  # the 240p level

        # the grant is renewed in place: later requests carry the new token, playback goes on
        first_token = page.evaluate("window.stagedoorPlayer.token")
        try:
            page.wait_for_function(
                "t => window.stagedoorPlayer.token !== t", arg=first_token, timeout=30000, polling=200
            )
        except Exception:
            state = page.evaluate(
                "({state: document.querySelector('[data-player]').dataset.state,"
                " text: document.querySelector('[data-player]').innerText,"
                " grant: window.stagedoorPlayer.grant, errors: window.stagedoorPlayer.errors})"
            )
            raise AssertionError(f"the grant was not renewed; player: {state}") from None
        second_token = page.evaluate("window.stagedoorPlayer.token")
        page.wait_for_function(
            "t => document.querySelector('video').currentTime > t + 1.5",
            arg=page.evaluate("document.querySelector('video').currentTime"),
            timeout=15000,
            polling=100,
        )
        assert any(f"/live/{second_token}/nova/" in url for url in media_requests)
        # nothing failed: no fatal error, no refused request (an unrewritten, stale token would
        # show up as a load error); hls.js's own stall reports around the quality switch are fine, and so is
        # `aborted` (ErrorDetails.INTERNAL_ABORTED: hls.js cancelled one of its own in-flight loads, e.g. a part
        # of the old level when switching) — a refused request reports fragLoadError/levelLoadError instead
        problems = page.evaluate(
            "window.stagedoorPlayer.errors.filter(e => e.fatal ||"
            " !['bufferStalledError', 'bufferNudgeOnStall', 'aborted'].includes(e.details))"
        )
        assert problems == []

        # the performer's studio shows the live numbers from the ingest
        studio_context = signed_in_context(browser, base, nova)
        try:
            studio = studio_context.new_page()
            studio.goto(f"{base}/studio")
            studio.wait_for_function(
                "() => document.querySelector('[data-h=state]').textContent === 'live'", timeout=15000, polling=200
            )
            assert studio.get_by_test_id("rtmp-server").input_value() == "rtmp://localhost:1935/live"
            assert studio.locator("[data-h=resolution]").inner_text() == "854×480"
            assert studio.locator("[data-h=rungs]").inner_text() == "src, 240p"
            assert studio.locator("[data-h=keyframe]").inner_text() == "1.00 s"
            assert (
                studio.get_by_test_id("stream-warnings").inner_text() == "No problems found with your encoder settings."
            )
        finally:
            studio_context.close()
    finally:
        encoder.terminate()
        encoder.wait(10)

    # the encoder is gone: after the grace period the player says the room is offline
    page.wait_for_function(
        "() => document.querySelector('[data-player]').dataset.state === 'offline'", timeout=30000, polling=200
    )
    assert "offline" in page.get_by_test_id("player-overlay").inner_text()
    assert Room.objects.get(pk=room.pk).status == "offline"
    assert page.js_errors == []


@pytest.mark.parametrize("grace_s", [30])
def test_viewer_rides_out_a_dropped_encoder_and_the_reconnect(
    page: Any, live_server: Any, ingest: ThreadedIngest, make_user: Any, tmp_path: Path
) -> None:
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.streaming.services import stream_key_rotate

    base = live_server.url
    nova = make_user("performer", login="nova")
    room = room_for_performer(performer=nova)
    key = stream_key_rotate(user=nova)
    assert ingest.server.port is not None
    encoder = publish(ingest.server.port, key)
    try:
        wait_until(lambda: Room.objects.get(pk=room.pk).status == "live", 20, "the room to go live")
        enter_site(page, base)
        page.goto(f"{base}/r/nova")
        page.wait_for_function(
            "() => document.querySelector('[data-player]').dataset.state === 'playing'", timeout=20000, polling=100
        )
    finally:
        encoder.terminate()
        encoder.wait(10)

    # the encoder dropped: the room waits for it, and the stalled player says so
    wait_until(lambda: Room.objects.get(pk=room.pk).status == "reconnecting", 10, "the room to be reconnecting")
    try:
        page.wait_for_function(
            "() => document.querySelector('[data-player]').dataset.state === 'reconnecting'", timeout=20000, polling=100
        )
    except Exception:
        raise AssertionError(f"the player did not say reconnecting: {player_snapshot(page)}") from None
    assert "Reconnecting" in page.get_by_test_id("player-overlay").inner_text()
    assert page.get_by_test_id("player-live-badge").is_visible()

    # the performer is back within the grace period: the same playlist goes on after a discontinuity
    encoder = publish(ingest.server.port, key)
    try:
        wait_until(lambda: Room.objects.get(pk=room.pk).status == "live", 20, "the room to be live again")
        page.wait_for_function(
            "() => document.querySelector('[data-player]').dataset.state === 'playing'", timeout=30000, polling=100
        )
        t0 = page.evaluate("document.querySelector('video').currentTime")
        page.wait_for_function(
            "t => document.querySelector('video').currentTime > t + 2", arg=t0, timeout=15000, polling=100
        )
        playlist = (tmp_path / room.slug / "240p" / "index.m3u8").read_text()
        assert "#EXT-X-DISCONTINUITY" in playlist and 'init_g1_240p.mp4"' in playlist
    finally:
        encoder.terminate()
        encoder.wait(10)
    fatal = page.evaluate("window.stagedoorPlayer.errors.filter(e => e.fatal)")
    assert fatal == [] and page.js_errors == []


def player_snapshot(page: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = page.evaluate(
        """() => { const v = document.querySelector('video'), p = window.stagedoorPlayer;
        return {state: document.querySelector('[data-player]').dataset.state, grant: p.grant && p.grant.status,
                hls: !!p.hls, errors: p.errors.slice(-3), asked: p.asked, now: Date.now(), t: v.currentTime, paused: v.paused, ready: v.readyState,
                ended: v.ended, buffered: v.buffered.length ? v.buffered.end(v.buffered.length - 1) : null}; }"""
    )
    return snapshot


def test_studio_rotates_the_stream_key(browser: Any, live_server: Any, make_user: Any) -> None:
    from stagedoor.streaming.models import StreamKey, stream_key_hash

    base = live_server.url
    nova = make_user("performer", login="nova")
    context = signed_in_context(browser, base, nova)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/studio")
        hint = page.get_by_test_id("stream-key-hint")
        page.wait_for_function("() => document.querySelector('[data-studio-key-hint]').textContent !== ''")
        assert hint.inner_text() == "You have no stream key yet."
        assert page.get_by_test_id("stream-key").input_value() == ""

        page.get_by_test_id("rotate-key").click()  # no key yet: issued at once
        page.wait_for_function("() => document.querySelector('[data-studio-key]').value.startsWith('live_')")
        first = page.get_by_test_id("stream-key").input_value()
        assert page.get_by_test_id("stream-key-notice").is_visible()
        assert StreamKey.objects.get(user=nova, revoked_at__isnull=True).key_hash == stream_key_hash(first)

        page.get_by_test_id("rotate-key").click()  # replacing a key asks first
        assert page.get_by_test_id("stream-key").input_value() == first
        page.get_by_test_id("rotate-key-confirm").click()
        page.wait_for_function("k => document.querySelector('[data-studio-key]').value !== k", arg=first)
        second = page.get_by_test_id("stream-key").input_value()
        active = StreamKey.objects.get(user=nova, revoked_at__isnull=True)
        assert second.startswith("live_") and active.key_hash == stream_key_hash(second)
        assert StreamKey.objects.filter(user=nova).count() == 2
        assert f"live_{active.prefix}_" in hint.inner_text()

        page.reload()  # shown once: a reload shows which key is active, never the key
        page.wait_for_function("() => document.querySelector('[data-studio-key-hint]').textContent.includes('Active')")
        assert page.get_by_test_id("stream-key").input_value() == ""
        assert second not in page.content()
        assert errors == []
    finally:
        context.close()
