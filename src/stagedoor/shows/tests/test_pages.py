"""The show pages: the room's show card, requesting from it, the studio's requests and settings, the show
page (controls, low-funds warning, media hook), the ticket card and the statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.shows import services
from stagedoor.shows.models import Participant, Show, ShowSettings, ShowStatus
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db


def test_room_card_request_and_studio_accept(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client], balance: Any
) -> None:
    viewer = consent(viewer_with(200))
    consent(performer)
    room = performer.room
    as_viewer, as_performer = api_client(viewer), api_client(performer)
    page = as_viewer.get(room.url)
    assert page.status_code == 200
    assert b'data-testid="show-request-private"' in page.content and b"60 tokens/min" in page.content
    resp = as_viewer.post(f"/shows/request/{performer.pk}", {"next": room.url})
    show = Show.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/shows/{show.pk}"
    assert balance(viewer) == 140
    waiting = as_viewer.get(f"/shows/{show.pk}")
    assert waiting.status_code == 200 and b"Cancel request" in waiting.content
    studio = as_performer.get("/studio")
    assert b'data-testid="studio-requests"' in studio.content and b"request-accept" in studio.content
    accepted = as_performer.post(f"/shows/{show.pk}/accept")
    assert accepted.status_code == 302 and accepted["Location"] == f"/shows/{show.pk}"
    show.refresh_from_db()
    assert show.status == ShowStatus.LIVE
    performer_page = as_performer.get(f"/shows/{show.pk}").content
    assert b'data-testid="show-end"' in performer_page and b'data-testid="show-seats"' in performer_page
    viewer_page = as_viewer.get(f"/shows/{show.pk}").content
    assert b'data-in-show="true"' in viewer_page and b"shows/show.js" in viewer_page
    assert b"startMedia" not in viewer_page  # the hook lives in show.js
    # others see the room "in private"
    stranger = consent(viewer_with(100))
    assert b'data-testid="show-in-private"' in api_client(stranger).get(room.url).content
    state = as_viewer.get(f"/shows/{show.pk}/state").json()
    assert state["status"] == "live" and state["seat"]["minutes_billed"] == 1
    statement = as_viewer.get(f"/shows/{show.pk}/statement")
    assert statement.status_code == 200 and b'data-testid="statement-total">60<' in statement.content
    assert api_client(stranger).get(f"/shows/{show.pk}").status_code == 404
    left = as_viewer.post(f"/shows/{show.pk}/leave", {"next": room.url})
    assert left.status_code == 302 and left["Location"] == room.url
    assert Participant.objects.get(user=viewer).status == "left"


def test_refusal_is_a_message_and_changes_nothing(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client]
) -> None:
    viewer = consent(viewer_with(5))
    client = api_client(viewer)
    resp = client.post(f"/shows/request/{performer.pk}", {"next": performer.room.url}, follow=True)
    assert b"Not enough tokens." in resp.content
    assert not Show.objects.exists()


def test_low_funds_warning_on_the_show_page(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client]
) -> None:
    viewer = consent(viewer_with(70))
    show = services.private_request(viewer=viewer, performer=performer)
    services.private_accept(performer=performer, show_id=show.pk)
    page = api_client(viewer).get(f"/shows/{show.pk}").content.decode()
    warning = page[page.index('data-testid="low-funds"') - 60 :]
    assert "Buy tokens" in warning and 'href="/wallet/buy"' in warning
    assert "hidden" not in warning[: warning.index(">")]  # warned: shown


def test_studio_settings_and_ticket_forms(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client]
) -> None:
    consent(performer)
    client = api_client(performer)
    resp = client.post(
        "/shows/studio/settings",
        {
            "private_enabled": "on",
            "private_rate": "40",
            "group_rate": "15",
            "group_minimum": "2",
            "spy_enabled": "on",
            "spy_rate": "10",
        },
    )
    assert resp.status_code == 302
    saved = ShowSettings.objects.get(performer=performer)
    assert (saved.private_rate, saved.group_enabled, saved.spy_enabled, saved.cam2cam_enabled) == (
        40,
        False,
        True,
        False,
    )
    bad = client.post(
        "/shows/studio/settings",
        {"private_rate": "1", "group_rate": "15", "group_minimum": "2", "spy_rate": "10"},
        follow=True,
    )
    assert b"Enter a whole number of tokens from 6 to 999." in bad.content
    assert ShowSettings.objects.get(performer=performer).private_rate == 40
    starts = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post("/shows/studio/ticket", {"title": "Friday", "starts_at": starts, "price": "30"})
    ticket = Show.objects.get(kind="ticket")
    assert (ticket.title, ticket.ticket_price, ticket.status) == ("Friday", 30, "scheduled")
    buyer = consent(viewer_with(100))
    card = api_client(buyer).get(performer.room.url).content
    assert b'data-testid="ticket-card"' in card and b"data-countdown" in card
    client.post(f"/shows/{ticket.pk}/cancel")
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"
