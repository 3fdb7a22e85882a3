"""Reads for rooms: the directory, and access checks that apply region blocks."""

from __future__ import annotations

from itertools import islice

from django.db import connection
from django.db.models import Case, IntegerField, QuerySet, Value, When

from stagedoor.core.geo import Location, is_blocked
from stagedoor.rooms import errors
from stagedoor.rooms.models import Follow, Room


def directory(*, location: Location, limit: int = 60, tag: str = "") -> list[Room]:
    """Live rooms first, most watched first; rooms blocked where the viewer is are left out."""
    qs: QuerySet[Room] = Room.objects.select_related("performer")
    in_database = bool(tag) and connection.features.supports_json_field_contains
    if in_database:
        qs = qs.filter(tags__contains=[tag])
    offline_last = Case(When(status=Room.Status.OFFLINE, then=Value(1)), default=Value(0), output_field=IntegerField())
    ordered = qs.order_by(offline_last.asc(), "-viewer_count", "-live_since", "slug").iterator(chunk_size=200)
    # Tag (where the database cannot) and region filters run before the limit, so none is lost.
    visible = (
        r for r in ordered if (not tag or in_database or tag in r.tags) and not is_blocked(location, r.blocked_regions)
    )
    return list(islice(visible, limit))


def room_by_slug(slug: str) -> Room:
    room = Room.objects.select_related("performer").filter(slug=slug).first()
    if room is None:
        raise errors.RoomNotFound()
    return room


def access_room_for_viewer(slug: str, *, location: Location, viewer_id: str | None = None) -> Room:
    """The room, unless it is blocked where the viewer is (its own performer always gets in)."""
    room = room_by_slug(slug)
    if room.performer_id != viewer_id and is_blocked(location, room.blocked_regions):
        raise errors.RoomRegionBlocked()
    return room


def is_following(*, user_id: str | None, room: Room) -> bool:
    return bool(user_id) and Follow.objects.filter(user_id=user_id, room=room).exists()


def follower_count(room: Room) -> int:
    return Follow.objects.filter(room=room).count()
