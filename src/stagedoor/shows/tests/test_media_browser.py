"""In Chromium with a fake camera, through the real Janus that the SFU runtime starts: the performer publishes
into a private show (WHIP), the viewer receives decoded frames (WHEP) under their watermark, the viewer's camera
reaches the performer (cam-to-cam), and a viewer whose paid time runs out stops receiving within seconds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.shows.models import MediaSession, Participant

from .media_fixtures import VIDEO_PLAYING, RunningSfu, live_private_show, media_browser, sfu, signed_in_page, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["media_browser", "sfu"]  # fixtures


def advancing(page: Any, selector: str, seconds: float = 1.0) -> None:
    """The element's video keeps playing: currentTime moves on by `seconds`."""
    t0 = page.evaluate("sel => document.querySelector(sel).currentTime", selector)
    page.wait_for_function(
        "([sel, t]) => document.querySelector(sel).currentTime > t",
        arg=[selector, t0 + seconds],
        timeout=15000,
        polling=100,
    )


def test_performer_publishes_viewer_receives_with_watermark_and_cam_to_cam(
    media_browser: Any, live_server: Any, sfu: RunningSfu, make_user: Any
) -> None:
    base = live_server.url
    nova = make_user("performer", login="nova")
    sam = make_user("viewer", login="sam")
    show = live_private_show(nova, sam)

    performer = signed_in_page(media_browser, base, nova)
    viewer = signed_in_page(media_browser, base, sam)
    try:
        performer.goto(f"{base}/shows/{show.pk}/media/")
        wait_for(
            lambda: MediaSession.objects.filter(show=show, user=nova, role="publish", closed_at=None).exists(),
            20,
            "the performer's WHIP session",
        )
        viewer.goto(f"{base}/shows/{show.pk}/media/")
        viewer.wait_for_function(VIDEO_PLAYING, arg="[data-stage-main]", timeout=25000, polling=100)
        advancing(viewer, "[data-stage-main]")
        size = viewer.evaluate(
            "(() => { const v = document.querySelector('[data-stage-main]'); return [v.videoWidth, v.videoHeight]; })()"
        )
        assert size[0] > 0 and size[1] > 0
        code = Participant.objects.get(show=show, user=sam).watermark
        assert len(code) == 6
        assert viewer.locator("canvas.sd-watermark").get_attribute("data-watermark") == code
        subscription = MediaSession.objects.get(show=show, user=sam, role="subscribe", closed_at=None)
        assert subscription.expires_at == Participant.objects.get(show=show, user=sam).paid_until

        # cam-to-cam: the viewer turns on their camera, the performer's page shows it
        viewer.get_by_test_id("stage-camera").click()
        wait_for(lambda: Participant.objects.get(show=show, user=sam).cam_on, 20, "the viewer's camera on")
        performer.wait_for_function(VIDEO_PLAYING, arg=f"video[data-cam-of='{sam.pk}']", timeout=25000, polling=100)
        advancing(performer, f"video[data-cam-of='{sam.pk}']")
        assert performer.js_errors == [] and viewer.js_errors == []
    finally:
        performer.context.close()
        viewer.context.close()


def test_a_viewer_whose_paid_time_runs_out_stops_receiving(
    media_browser: Any, live_server: Any, sfu: RunningSfu, make_user: Any
) -> None:
    base = live_server.url
    nova = make_user("performer", login="nova")
    sam = make_user("viewer", login="sam")
    show = live_private_show(nova, sam, paid_until=timezone.now() + timedelta(minutes=5))

    performer = signed_in_page(media_browser, base, nova)
    viewer = signed_in_page(media_browser, base, sam)
    try:
        performer.goto(f"{base}/shows/{show.pk}/media/")
        wait_for(
            lambda: MediaSession.objects.filter(show=show, user=nova, role="publish", closed_at=None).exists(),
            20,
            "the performer's WHIP session",
        )
        viewer.goto(f"{base}/shows/{show.pk}/media/")
        viewer.wait_for_function(VIDEO_PLAYING, arg="[data-stage-main]", timeout=25000, polling=100)
        advancing(viewer, "[data-stage-main]")

        # every decoded frame stamps the wall clock (same clock as this test: same machine)
        viewer.evaluate(
            """sel => { const v = document.querySelector(sel); window.lastFrameAt = Date.now();
               const tick = () => { window.lastFrameAt = Date.now(); v.requestVideoFrameCallback(tick); };
               v.requestVideoFrameCallback(tick); }""",
            "[data-stage-main]",
        )
        # the paid minute ends in 3 s and nobody pays the next one
        lapse_at = timezone.now() + timedelta(seconds=3)
        Participant.objects.filter(show=show, user=sam).update(paid_until=lapse_at)
        wait_for(
            lambda: MediaSession.objects.filter(show=show, user=sam, role="subscribe", closed_at__isnull=False).first(),
            15,
            "the reaper to close the lapsed session",
        )
        closed = MediaSession.objects.get(show=show, user=sam, role="subscribe")
        assert closed.close_reason == "lapsed" and closed.closed_at is not None
        assert lapse_at <= closed.closed_at < lapse_at + timedelta(seconds=3)
        # frames stop: none decoded for 1.5 s, the last one no later than 2 s after the session closed
        viewer.wait_for_function("() => Date.now() - window.lastFrameAt > 1500", timeout=15000, polling=100)
        last_frame_ms = viewer.evaluate("window.lastFrameAt")
        assert last_frame_ms / 1000 < closed.closed_at.timestamp() + 2, (last_frame_ms, closed.closed_at)
        # and the page notices: the peer connection goes down (ICE loses the SFU within ~5 s)
        viewer.wait_for_function(
            "() => document.querySelector('[data-sd-stage]').dataset.state === 'ended'", timeout=20000, polling=100
        )
        assert "paid time" in viewer.get_by_test_id("stage-status").inner_text()
        # and a new subscription is refused
        resp = viewer.evaluate(
            """async url => { const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken':
               document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1]}}); return [r.status, (await r.json()).code]; }""",
            f"/shows/{show.pk}/media/whep",
        )
        assert resp == [403, "shows.media_not_allowed"]
        # the performer's own session is untouched
        assert MediaSession.objects.filter(show=show, user=nova, role="publish", closed_at=None).exists()
    finally:
        performer.context.close()
        viewer.context.close()
