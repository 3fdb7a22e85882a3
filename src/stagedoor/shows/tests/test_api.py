"""The shows API end to end: settings, private request → accept → heartbeat → statement → leave; tickets;
refusals that change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.shows.models import Participant, Show, ShowStatus

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_settings_get_and_put(performer: Any, api_client: Callable[..., Client]) -> None:
    client = api_client(performer)
    got = client.get("/api/v1/me/show-settings").json()
    assert (got["private_rate"], got["rate_min"], got["rate_max"]) == (60, 6, 999)
    resp = client.put(
        "/api/v1/me/show-settings", {"private_rate": 30, "spy_enabled": True}, content_type="application/json"
    )
    assert resp.status_code == 200, resp.content
    assert (resp.json()["private_rate"], resp.json()["spy_enabled"], resp.json()["group_rate"]) == (30, True, 20)
    bad = client.put("/api/v1/me/show-settings", {"group_rate": 5000}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["extra"]["fields"].keys() == {"group_rate"}
    assert client.get("/api/v1/me/show-settings").json()["group_rate"] == 20


def test_private_flow(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client], balance: Any
) -> None:
    viewer = viewer_with(200)
    as_viewer, as_performer = api_client(viewer), api_client(performer)
    resp = _post(as_viewer, "/api/v1/shows/private", {"performer_id": performer.pk})
    assert resp.status_code == 201, resp.content
    show = resp.json()
    assert (show["status"], show["kind"], show["my_seat"]["status"]) == ("requested", "private", "held")
    assert balance(viewer) == 140
    requests = as_performer.get("/api/v1/me/show-requests").json()
    assert [r["id"] for r in requests] == [show["id"]]
    accepted = _post(as_performer, f"/api/v1/shows/{show['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "live"
    beat = _post(as_viewer, f"/api/v1/shows/{show['id']}/heartbeat")
    assert beat.status_code == 200
    seat = beat.json()
    assert (seat["status"], seat["minutes_billed"]) == ("active", 1)
    assert seat["access_until"] == seat["paid_until"] is not None
    detail = as_viewer.get(f"/api/v1/shows/{show['id']}").json()
    assert detail["my_seat"]["id"] == seat["id"] and detail["viewers"] == 1
    statement = as_viewer.get(f"/api/v1/shows/{show['id']}/statement").json()
    assert statement["scope"] == "own" and statement["total"] == 60
    assert [(line["minute"], line["amount"]) for line in statement["lines"]] == [(1, 60)]
    assert as_performer.get(f"/api/v1/shows/{show['id']}/statement").json()["scope"] == "all"
    # strangers learn nothing
    stranger = api_client(viewer_with(0))
    assert stranger.get(f"/api/v1/shows/{show['id']}").status_code == 404
    assert stranger.get(f"/api/v1/shows/{show['id']}/statement").status_code == 404
    assert _post(stranger, f"/api/v1/shows/{show['id']}/heartbeat").status_code == 404
    left = _post(as_viewer, f"/api/v1/shows/{show['id']}/leave")
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert Show.objects.get(pk=show["id"]).status == ShowStatus.ENDED
    assert balance(viewer) == 140


def test_private_request_without_funds(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client]
) -> None:
    resp = _post(api_client(viewer_with(10)), "/api/v1/shows/private", {"performer_id": performer.pk})
    assert resp.status_code == 402 and resp.json()["code"] == "wallet.insufficient_balance"
    assert not Show.objects.exists()


def test_only_the_performer_accepts(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client], make_user: Any
) -> None:
    viewer = viewer_with(200)
    show = _post(api_client(viewer), "/api/v1/shows/private", {"performer_id": performer.pk}).json()
    other = api_client(make_user("performer"))
    resp = _post(other, f"/api/v1/shows/{show['id']}/accept")
    assert resp.status_code == 403 and resp.json()["code"] == "shows.not_your_show"
    assert Show.objects.get(pk=show["id"]).status == ShowStatus.REQUESTED


def test_ticket_schedule_buy_cancel(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client], balance: Any
) -> None:
    as_performer = api_client(performer)
    starts = (timezone.now() + timedelta(hours=1)).isoformat()
    resp = _post(as_performer, "/api/v1/shows/tickets", {"title": "Late", "starts_at": starts, "price": 25})
    assert resp.status_code == 201, resp.content
    show_id = resp.json()["id"]
    buyer = viewer_with(100)
    # anyone signed in sees a ticket show's card
    assert api_client(buyer).get(f"/api/v1/shows/{show_id}").json()["ticket_price"] == 25
    bought = _post(api_client(buyer), f"/api/v1/shows/{show_id}/ticket")
    assert bought.status_code == 200 and bought.json()["role"] == "ticket" and balance(buyer) == 75
    bad = _post(as_performer, "/api/v1/shows/tickets", {"title": "Late", "starts_at": starts, "price": "25"})
    assert bad.status_code == 422
    cancelled = _post(as_performer, f"/api/v1/shows/{show_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert balance(buyer) == 100
    assert Participant.objects.get(user=buyer).status == "released"


def test_group_open_join_start(
    performer: Any, viewer_with: Callable[[int], Any], api_client: Callable[..., Client]
) -> None:
    as_performer = api_client(performer)
    show = _post(as_performer, "/api/v1/shows/group", {"minimum": 2}).json()
    assert show["status"] == "waiting"
    early = _post(as_performer, f"/api/v1/shows/{show['id']}/start")
    assert early.status_code == 409 and early.json()["code"] == "shows.minimum_not_reached"
    for _ in range(2):
        assert _post(api_client(viewer_with(100)), f"/api/v1/shows/{show['id']}/join").status_code == 200
    assert as_performer.get(f"/api/v1/shows/{show['id']}").json()["status"] == "live"
    ended = _post(as_performer, f"/api/v1/shows/{show['id']}/end")
    assert ended.json()["status"] == "ended"
