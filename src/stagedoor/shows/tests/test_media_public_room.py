"""A performer goes live in their public room from the studio page (WHIP, Chromium's fake camera): Janus forwards
the feed to ffmpeg, which pushes RTMP into the real ingest, so the room goes live and the HLS ladder appears."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stagedoor.shows.models import MediaSession

from .media_fixtures import RunningSfu, media_browser, sfu, signed_in_page, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["media_browser", "sfu"]  # fixtures


@pytest.fixture
def ingest(settings: Any, tmp_path: Path, monkeypatch: Any) -> Iterator[Any]:
    from stagedoor.streaming import local_ingest
    from stagedoor.streaming.tests.test_browser_player import ThreadedIngest

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, media_dir=tmp_path)
    running = ThreadedIngest(tmp_path, grace_s=2)
    monkeypatch.setattr(local_ingest, "_current", running.server)  # what `stagedoor run` does
    try:
        yield running
    finally:
        running.stop()


def test_studio_browser_broadcast_feeds_the_ladder(
    media_browser: Any, live_server: Any, ingest: Any, sfu: RunningSfu, make_user: Any, tmp_path: Path
) -> None:
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.shows import runtime

    nova = make_user("performer", login="nova")
    room = room_for_performer(performer=nova)
    studio = signed_in_page(media_browser, live_server.url, nova)
    try:
        studio.goto(f"{live_server.url}/studio")
        card = studio.get_by_test_id("studio-browser-live")
        assert card.get_by_role("heading").inner_text() == "Go live from your browser"
        studio.get_by_test_id("browser-live-start").click()
        studio.wait_for_function(
            "() => document.querySelector('[data-live-status]').textContent.startsWith('Live')",
            timeout=20000,
            polling=100,
        )
        session = MediaSession.objects.get(room=room, role="publish", closed_at=None)
        wait_for(lambda: Room.objects.get(pk=room.pk).status == "live", 40, "the room to go live")
        playlist = tmp_path / room.slug / "src" / "index.m3u8"
        wait_for(
            lambda: playlist.exists() and playlist.read_text().count("#EXTINF") >= 2, 40, "HLS segments of the source"
        )
        assert (tmp_path / room.slug / "master.m3u8").exists()
        forwarders = runtime.current_forwarders()
        assert forwarders is not None and len(forwarders.pids()) == 1

        studio.get_by_test_id("browser-live-stop").click()
        wait_for(lambda: MediaSession.objects.get(pk=session.pk).closed_at is not None, 10, "the WHIP session to close")
        wait_for(lambda: forwarders.pids() == [], 10, "the forwarding ffmpeg to stop")
        wait_for(lambda: Room.objects.get(pk=room.pk).status == "offline", 30, "the room to go offline")
        assert studio.js_errors == []
    finally:
        studio.context.close()
