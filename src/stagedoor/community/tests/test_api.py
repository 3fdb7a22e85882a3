"""The community API: the leaderboard's exact shape, entries, profiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.community import levels, services
from stagedoor.community.models import ContestEntry
from stagedoor.community.tests.conftest import make_contest, make_event, tip

pytestmark = pytest.mark.django_db


def test_leaderboard_json(
    make_user: Callable[..., Any], admin: Any, funded: Callable[..., Any], api_client: Callable[..., Any]
) -> None:
    from stagedoor.rooms.services import room_for_performer

    ana = make_user("performer", login="ana", display_name="Ana")
    bea = make_user("performer", login="bea", display_name="Bea")
    room = room_for_performer(performer=bea)
    contest = make_contest(admin, entrants=(ana, bea))
    tip(funded(100), bea, 25)
    body = api_client().get(f"/api/v1/community/contests/{contest.slug}/leaderboard").json()
    assert body["unit"] == "tokens"
    assert body["contest"]["state"] == "running" and body["contest"]["slug"] == "spring-cup"
    assert body["standings"] == [
        {"rank": 1, "performer_id": bea.pk, "login": "bea", "name": "Bea", "room_slug": room.slug, "score": 25},
        {"rank": 2, "performer_id": ana.pk, "login": "ana", "name": "Ana", "room_slug": "", "score": 0},
    ]
    missing = api_client().get("/api/v1/community/contests/nope/leaderboard")
    assert (missing.status_code, missing.json()["code"]) == (404, "community.contest_not_found")


def test_entries_over_the_api(make_user: Callable[..., Any], admin: Any, api_client: Callable[..., Any]) -> None:
    star = make_user("performer")
    contest = make_contest(admin)
    event = make_event(admin)
    client = api_client(star)
    response = client.post(f"/api/v1/community/contests/{contest.pk}/entry")
    assert (response.status_code, response.json()) == (201, {"id": contest.pk, "entered": True})
    assert ContestEntry.objects.filter(contest=contest, performer=star).count() == 1
    assert client.delete(f"/api/v1/community/contests/{contest.pk}/entry").json() == {
        "id": contest.pk,
        "entered": False,
    }
    assert ContestEntry.objects.filter(contest=contest).count() == 0
    assert client.post(f"/api/v1/community/events/{event.pk}/entry").status_code == 201
    detail = api_client().get(f"/api/v1/community/events/{event.slug}").json()
    assert [p["login"] for p in detail["entrants"]] == [star.login]
    assert detail["directory_url"] == f"/?event={event.slug}"
    assert [e["slug"] for e in api_client().get("/api/v1/community/events").json()] == [event.slug]
    unknown = client.post("/api/v1/community/events/01AAAAAAAAAAAAAAAAAAAAAAAA/entry")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "community.event_not_found")


def test_profile_and_me(
    make_user: Callable[..., Any], funded: Callable[..., Any], api_client: Callable[..., Any]
) -> None:
    fan = funded(1000, login="fiona")
    star = make_user("performer")
    tip(fan, star, 120)
    services.level_recompute(user_id=fan.pk)
    services.badge_award(user_id=fan.pk, rule=levels.FIRST_TIP)
    public = api_client().get("/api/v1/community/profiles/fiona").json()
    assert public["viewer_level"] == 2 and public["performer_level"] is None
    assert [(b["rule"], b["label"]) for b in public["badges"]] == [("first_tip", "First tip")]
    assert "tokens_spent" not in public
    me = api_client(fan).get("/api/v1/community/me").json()
    assert (me["tokens_spent"], me["next_level"], me["tokens_to_next_level"]) == (120, 3, 380)
    assert api_client().get("/api/v1/community/me").status_code == 401
    assert api_client().get("/api/v1/community/profiles/nobody-here").json()["code"] == "community.profile_not_found"
