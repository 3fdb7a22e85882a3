"""Rooms API: the directory, a room, the performer's own room settings, follows."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router

from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms import schemas, selectors, services
from stagedoor.rooms.presenters import room_card

router = Router(tags=["rooms"])


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.get("/rooms", response=list[schemas.RoomOut], auth=None)
def rooms(request: HttpRequest, tag: str = "") -> list[dict[str, Any]]:
    found = selectors.directory(location=location_for_request(request), tag=tag[:24].lower())
    return [room_card(r) for r in found]


@router.get("/rooms/mine", response=schemas.MyRoomOut, auth=requires(Perm.ROOM_MANAGE))
def my_room(request: HttpRequest) -> dict[str, Any]:
    return room_card(services.room_for_performer(performer=_actor(request)))


@router.patch("/rooms/mine", response=schemas.MyRoomOut, auth=requires(Perm.ROOM_MANAGE))
def my_room_update(request: HttpRequest, payload: schemas.RoomIn) -> dict[str, Any]:
    room = services.room_for_performer(performer=_actor(request))
    return room_card(services.room_update(room=room, title=payload.title, topic=payload.topic, tags=payload.tags))


@router.put("/rooms/mine/blocked-regions", response=schemas.MyRoomOut, auth=requires(Perm.ROOM_MANAGE))
def my_room_regions(request: HttpRequest, payload: schemas.RegionsIn) -> dict[str, Any]:
    actor = _actor(request)
    room = services.room_for_performer(performer=actor)
    return room_card(
        services.room_set_blocked_regions(room=room, actor=actor, regions=payload.regions, ip=client_ip(request))
    )


@router.get("/rooms/{slug}", response=schemas.RoomOut, auth=None)
def room(request: HttpRequest, slug: str) -> dict[str, Any]:
    viewer = optional_user(request)
    found = selectors.access_room_for_viewer(
        slug, location=location_for_request(request), viewer_id=viewer.pk if viewer else None
    )
    return room_card(found)


@router.post("/rooms/{slug}/follow", response=schemas.FollowOut, auth=AUTH)
def follow(request: HttpRequest, slug: str) -> dict[str, Any]:
    found = selectors.access_room_for_viewer(slug, location=location_for_request(request), viewer_id=_actor(request).pk)
    services.room_follow(user=_actor(request), room=found)
    return {"following": True, "followers": selectors.follower_count(found)}


@router.delete("/rooms/{slug}/follow", response=schemas.FollowOut, auth=AUTH)
def unfollow(request: HttpRequest, slug: str) -> dict[str, Any]:
    found = selectors.room_by_slug(slug)
    services.room_unfollow(user=_actor(request), room=found)
    return {"following": False, "followers": selectors.follower_count(found)}
