"""The staff console's "Streams on air" section and the room panel of a person, for support too."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from stagedoor.rooms.services import room_for_performer, room_set_status
from stagedoor.streaming.health import StreamHealth
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _live(performer: Any) -> Any:
    room = room_for_performer(performer=performer)
    room_set_status(room=room, status="live")
    return room


def test_support_sees_streams_on_air_without_health_here(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, redis_url=None)  # no ingest, nothing shared
    nova = make_user("performer", login="nova")
    _live(nova)
    room_for_performer(performer=make_user("performer", login="offline_one"))
    client = client_for(make_user("support_l1"))
    page = client.get("/staff/streams/")
    assert page.status_code == 200
    assert [row["room"].slug for row in page.context["rows"]] == ["nova"]
    html = page.content.decode()
    assert 'data-testid="health-unobserved"' in html
    assert 'data-testid="stream-nova"' in html and "No health numbers." in html
    assert f'href="/staff/users/{nova.pk}/"' in html  # support may open the performer's page
    assert 'data-testid="blurb-streams">1 on air<' in client.get("/staff/").content.decode()


def test_health_shared_by_an_ingest_shows_in_the_table(make_user: Any, settings: Any, redis_url: str) -> None:
    import redis

    from stagedoor.streaming import health_store

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, redis_url=redis_url)
    health_store._readers.clear()
    nova = make_user("performer", login="nova")
    _live(nova)
    shared = StreamHealth("nova", "live", 30.0, 2400.0, 29.97, 2.0, 1280, 720, "avc1.64001f", "mp4a.40.2", 12, 0.9, 0)
    shared.warnings.append({"code": "encoder_slow", "message": "The server transcodes slowly."})
    redis.Redis.from_url(redis_url).set(health_store.KEY.format(room="nova"), health_store.encode(shared), ex=5)
    try:
        page = client_for(make_user("support_l2")).get("/staff/streams/")
        html = page.content.decode()
        assert page.context["rows"][0]["health"] == shared
        for shown in ("2400 kb/s", "30.0", "2.0 s", "1280×720", ">12<", "0.90×", "encoder_slow"):
            assert shown in html, shown
        person = client_for(make_user("support_l1")).get(f"/staff/users/{nova.pk}/").content.decode()
        assert 'data-testid="panel-room"' in person and "2400 kb/s · 30.0 fps · 12 dropped" in person
    finally:
        redis.Redis.from_url(redis_url).delete(health_store.KEY.format(room="nova"))
        health_store._readers.clear()


def test_viewers_and_finance_cannot_open_streams(make_user: Any) -> None:
    for role in ("viewer", "performer", "finance"):
        assert client_for(make_user(role)).get("/staff/streams/").status_code == 403
