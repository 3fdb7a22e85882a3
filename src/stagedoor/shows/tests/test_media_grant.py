"""`media_grant`: who may publish and subscribe in a show, until when; the signalling endpoints refuse anyone
else before Stagedoor opens anything on the SFU."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.shows.models import MediaSession, Participant, ShowSettings
from stagedoor.shows.selectors.media import media_grant

from .media_fixtures import live_private_show

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(make_user: Any) -> tuple[Any, Any, Any]:
    nova = make_user("performer", login="nova")
    sam = make_user("viewer", login="sam")
    return nova, sam, live_private_show(nova, sam)


def test_performer_publishes_and_subscribes_while_live(cast: tuple[Any, Any, Any]) -> None:
    nova, _sam, show = cast
    grant = media_grant(user=nova, show=show)
    assert grant is not None
    assert (grant.role, grant.can_publish, grant.can_subscribe, grant.expires_at) == ("performer", True, True, None)
    show.status = "ended"
    assert media_grant(user=nova, show=show) is None


def test_paying_viewer_until_paid_until(cast: tuple[Any, Any, Any], make_user: Any) -> None:
    _nova, sam, show = cast
    seat = Participant.objects.get(show=show, user=sam)
    grant = media_grant(user=sam, show=show)
    assert grant is not None
    assert (grant.role, grant.can_publish, grant.can_subscribe) == ("viewer", True, True)
    assert grant.expires_at == seat.paid_until
    assert media_grant(user=sam, show=show, now=seat.paid_until) is None  # the paid minute is over
    ShowSettings.objects.create(performer=show.performer, cam2cam_enabled=False)
    grant = media_grant(user=sam, show=show)
    assert grant is not None and grant.can_publish is False and grant.can_subscribe is True
    Participant.objects.filter(pk=seat.pk).update(status="left")
    assert media_grant(user=sam, show=show) is None
    assert media_grant(user=make_user("viewer"), show=show) is None


def test_spy_watches_without_camera_and_ticket_holders_while_live(cast: tuple[Any, Any, Any], make_user: Any) -> None:
    _nova, _sam, show = cast
    spy = make_user("viewer", login="spy")
    Participant.objects.create(
        show=show, user=spy, role="spy", status="active", paid_until=timezone.now() + timedelta(minutes=1)
    )
    grant = media_grant(user=spy, show=show)
    assert grant is not None and grant.can_publish is False and grant.can_subscribe is True
    holder = make_user("viewer", login="holder")
    Participant.objects.create(show=show, user=holder, role="ticket", status="active", paid_until=None)
    grant = media_grant(user=holder, show=show)
    assert grant is not None and grant.expires_at is None and grant.can_publish is False


def test_group_viewers_watch_without_camera(cast: tuple[Any, Any, Any], make_user: Any) -> None:
    """Cam-to-cam is a private show's: a group show's viewers only watch."""
    _nova, sam, show = cast
    show.kind = "group"
    show.save(update_fields=["kind"])
    grant = media_grant(user=sam, show=show)
    assert grant is not None and grant.role == "viewer"
    assert grant.can_publish is False and grant.can_subscribe is True


def test_signalling_refuses_before_touching_the_sfu(cast: tuple[Any, Any, Any], make_user: Any) -> None:
    _nova, sam, show = cast
    offer = b"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
    anonymous = Client()
    resp = anonymous.post(f"/shows/{show.pk}/media/whip", offer, content_type="application/sdp")
    assert resp.status_code == 401 and resp.json()["code"] == "auth.required"

    stranger = Client(enforce_csrf_checks=True)
    stranger_user = make_user("viewer", login="stranger")
    stranger.force_login(stranger_user, backend="django.contrib.auth.backends.ModelBackend")
    resp = stranger.post(f"/shows/{show.pk}/media/whep")
    assert resp.status_code == 401  # no CSRF header
    from stagedoor.accounts.services import entry_consent_record

    entry_consent_record(
        user=stranger_user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="t"
    )
    page = stranger.get(f"/shows/{show.pk}/media/")  # the stage page sets the CSRF cookie
    assert page.status_code == 200
    resp = stranger.post(f"/shows/{show.pk}/media/whep", HTTP_X_CSRFTOKEN=stranger.cookies["csrftoken"].value)
    assert resp.status_code == 403 and resp.json()["code"] == "shows.media_not_allowed"

    viewer = Client()
    viewer.force_login(sam, backend="django.contrib.auth.backends.ModelBackend")
    resp = viewer.post(f"/shows/{show.pk}/media/whip", b"hello", content_type="text/plain")
    assert resp.status_code == 400 and resp.json()["code"] == "request.malformed"
    Participant.objects.filter(show=show, user=sam).update(paid_until=timezone.now() - timedelta(seconds=1))
    resp = viewer.post(f"/shows/{show.pk}/media/whep")
    assert resp.status_code == 403 and resp.json()["code"] == "shows.media_not_allowed"
    resp = viewer.post("/shows/nope/media/whep")
    assert resp.status_code == 404
    assert MediaSession.objects.count() == 0


def test_api_token_bearer_is_accepted_without_csrf(cast: tuple[Any, Any, Any], make_user: Any) -> None:
    from stagedoor.accounts.services import api_token_create

    _nova, _sam, show = cast
    _row, plaintext = api_token_create(user=make_user("viewer", login="bot"), name="player")
    machine = Client(enforce_csrf_checks=True)
    resp = machine.post(f"/shows/{show.pk}/media/whep", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert resp.status_code == 403 and resp.json()["code"] == "shows.media_not_allowed"  # known, but not in the show
    resp = machine.post(f"/shows/{show.pk}/media/whep", HTTP_AUTHORIZATION="Bearer sd_nope")
    assert resp.status_code == 401


def test_hanging_up_a_closed_session_is_idempotent_and_only_for_its_owner(
    cast: tuple[Any, Any, Any], make_user: Any
) -> None:
    """The runtime closes sessions (show ended, paid time over); the page's DELETE afterwards is not an error."""
    _nova, sam, show = cast
    session = MediaSession.objects.create(
        user=sam, show=show, role="subscribe", sfu_room=1, sfu_session=2, sfu_handle=3, closed_at=timezone.now()
    )
    client = Client(enforce_csrf_checks=False)
    client.force_login(sam)
    assert client.delete(f"/shows/media/sessions/{session.pk}").status_code == 200
    assert client.patch(f"/shows/media/sessions/{session.pk}", "v=0", content_type="application/sdp").status_code == 404
    stranger = Client()
    stranger.force_login(make_user("viewer"))
    assert stranger.delete(f"/shows/media/sessions/{session.pk}").status_code == 404
