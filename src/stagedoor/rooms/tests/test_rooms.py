from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.rooms import services
from stagedoor.rooms.models import Follow, Room

pytestmark = pytest.mark.django_db


def consented(client: Client | None = None, **headers: Any) -> Client:  # WSGI environ, as Client(**defaults)
    client = client or Client(**headers)
    client.post(
        "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
    )
    return client


@pytest.fixture
def live_rooms(make_user: Any) -> list[Room]:
    rooms = []
    for i, viewers in enumerate([5, 50, 0]):
        performer = make_user("performer", login=f"perf{i}")
        room = services.room_for_performer(performer=performer)
        if viewers:
            services.room_set_status(room=room, status=Room.Status.LIVE)
            services.room_set_viewer_count(room_id=room.id, count=viewers)
        rooms.append(room)
    return rooms


def test_room_created_once_per_performer(make_user: Any) -> None:
    performer = make_user("performer", login="nova_star")
    room = services.room_for_performer(performer=performer)
    assert room.slug == "nova-star" and room.status == "offline"
    assert services.room_for_performer(performer=performer).pk == room.pk
    with pytest.raises(Exception, match="Only performers"):
        services.room_for_performer(performer=make_user())


def test_directory_live_first_most_watched_first(live_rooms: list[Room]) -> None:
    body = Client().get("/api/v1/rooms").json()
    assert [r["slug"] for r in body] == ["perf1", "perf0", "perf2"]
    assert [r["status"] for r in body] == ["live", "live", "offline"]
    assert body[0]["viewer_count"] == 50


def test_status_changes_publish_events(make_user: Any) -> None:
    room = services.room_for_performer(performer=make_user("performer"))
    services.room_set_status(room=room, status=Room.Status.LIVE)
    services.room_set_status(room=room, status=Room.Status.LIVE)
    services.room_set_status(room=room, status=Room.Status.OFFLINE)
    events = [e.payload for e in OutboxEvent.objects.filter(topic="room.status_changed").order_by("id")]
    assert events == [
        {"room_id": room.id, "from": "offline", "to": "live"},
        {"room_id": room.id, "from": "live", "to": "offline"},
    ]
    with pytest.raises(ValueError, match="unknown room status"):
        services.room_set_status(room=room, status="exploded")


def test_region_block_hides_room_and_refuses_access(live_rooms: list[Room], settings: Any) -> None:
    from dataclasses import replace

    settings.STAGEDOOR = replace(settings.STAGEDOOR, geo_header="CF-IPCountry")
    performer_client = Client()
    performer_client.force_login(live_rooms[1].performer)
    response = performer_client.put(
        "/api/v1/rooms/mine/blocked-regions",
        data=json.dumps({"regions": ["de", "US-TX"]}),
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["blocked_regions"] == ["DE", "US-TX"]
    assert AuditEntry.objects.filter(action="room.regions_blocked").count() == 1

    german = Client(HTTP_CF_IPCOUNTRY="DE")
    assert "perf1" not in [r["slug"] for r in german.get("/api/v1/rooms").json()]
    refused = german.get("/api/v1/rooms/perf1")
    assert refused.status_code == 403 and refused.json()["code"] == "room.region_blocked"
    assert consented(german).get("/r/perf1").status_code == 451
    french = Client(HTTP_CF_IPCOUNTRY="FR")
    assert "perf1" in [r["slug"] for r in french.get("/api/v1/rooms").json()]
    assert consented(french).get("/r/perf1").status_code == 200
    # The performer always reaches their own room.
    performer_client.defaults["HTTP_CF_IPCOUNTRY"] = "DE"
    assert performer_client.get("/api/v1/rooms/perf1").status_code == 200


def test_invalid_regions_and_tags_change_nothing(live_rooms: list[Room]) -> None:
    client = Client()
    client.force_login(live_rooms[0].performer)
    bad = client.put(
        "/api/v1/rooms/mine/blocked-regions", data=json.dumps({"regions": ["Germany"]}), content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json() == {
        "code": "room.invalid_region",
        "message": "Use ISO 3166 codes such as DE or US-TX.",
        "extra": {"invalid": ["GERMANY"]},
    }
    bad_tags = client.patch(
        "/api/v1/rooms/mine", data=json.dumps({"tags": ["ok", "no spaces!"]}), content_type="application/json"
    )
    assert bad_tags.status_code == 422
    room = Room.objects.get(pk=live_rooms[0].pk)
    assert room.blocked_regions == [] and room.tags == []
    good = client.patch(
        "/api/v1/rooms/mine",
        data=json.dumps({"title": " Hello ", "tags": ["#Chill", "music", "chill"]}),
        content_type="application/json",
    )
    assert good.json()["title"] == "Hello" and good.json()["tags"] == ["chill", "music"]


def test_follow_and_unfollow(live_rooms: list[Room], make_user: Any) -> None:
    viewer = make_user()
    client = Client()
    client.force_login(viewer)
    assert client.post("/api/v1/rooms/perf0/follow").json() == {"following": True, "followers": 1}
    assert client.post("/api/v1/rooms/perf0/follow").json() == {"following": True, "followers": 1}
    assert Follow.objects.count() == 1
    assert client.delete("/api/v1/rooms/perf0/follow").json() == {"following": False, "followers": 0}
    assert Client().post("/api/v1/rooms/perf0/follow").status_code == 401
    assert client.post("/api/v1/rooms/nobody/follow").json()["code"] == "room.not_found"


def test_pages(live_rooms: list[Room], make_user: Any) -> None:
    client = consented()
    live, offline = client.get("/").content.decode().split('data-testid="offline-performers"')
    assert "/r/perf1" in live and "/r/perf0" in live and "/r/perf2" not in live  # offline rooms are not "live now"
    assert "/r/perf2" in offline and "/r/perf1" not in offline  # they are listed as offline performers
    page = client.get("/r/perf1")
    assert page.status_code == 200 and 'data-testid="live-badge"' in page.content.decode()
    assert client.get("/r/nobody").status_code == 404
    performer = live_rooms[2].performer
    studio = consented()
    studio.force_login(performer)
    assert studio.get("/studio").status_code == 200
    saved = studio.post("/studio", {"title": "Late show", "topic": "", "tags": "talk music", "blocked_regions": "FR"})
    assert saved.status_code == 302
    room = Room.objects.get(performer=performer)
    assert (room.title, room.tags, room.blocked_regions) == ("Late show", ["talk", "music"], ["FR"])
    refused = studio.post("/studio", {"title": "x", "tags": "", "blocked_regions": "Narnia"})
    assert refused.status_code == 400
    assert Room.objects.get(performer=performer).title == "Late show"


def test_directory_tag_filter_keeps_order_and_loses_no_room(live_rooms: list[Room]) -> None:
    for room, tags in zip(live_rooms, [["music"], ["talk"], ["music", "talk"]], strict=True):
        services.room_update(room=room, tags=tags)
    assert [r["slug"] for r in Client().get("/api/v1/rooms?tag=music").json()] == ["perf0", "perf2"]
    assert [r["slug"] for r in Client().get("/api/v1/rooms?tag=talk").json()] == ["perf1", "perf2"]
    assert Client().get("/api/v1/rooms?tag=jazz").json() == []
