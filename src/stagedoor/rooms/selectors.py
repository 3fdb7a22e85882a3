"""Reads for rooms: the directory, access checks that apply region blocks, the show schedule."""

from __future__ import annotations

from collections import Counter
from itertools import islice

from django.db import connection
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from stagedoor.core.geo import Location, is_blocked
from stagedoor.rooms import errors
from stagedoor.rooms.models import Follow, Room, ScheduledShow

SEARCH_MAX_CHARS = 60


def clean_search(q: str) -> str:
    """A search box's text as the directory matches it: trimmed, without a leading "#", bounded."""
    return q.strip().lstrip("#").strip()[:SEARCH_MAX_CHARS]


def directory(
    *, location: Location, limit: int = 60, tag: str = "", q: str = "", performer_ids: list[str] | None = None
) -> list[Room]:
    """Live rooms first, most watched first; rooms blocked where the viewer is are left out.

    `tag` keeps the rooms with that tag; `q` the rooms whose performer's name or login, title
    or one of whose tags contains it (case-insensitive); `performer_ids` (an event's performers, from the
    directory's `?event=` filter) the rooms of those performers.
    """
    qs: QuerySet[Room] = Room.objects.select_related("performer").annotate(next_show_at=next_show_subquery())
    if performer_ids is not None:
        qs = qs.filter(performer_id__in=performer_ids)
    in_database = bool(tag) and connection.features.supports_json_field_contains
    if in_database:
        qs = qs.filter(tags__contains=[tag])
    q = clean_search(q)
    if q:
        qs = qs.annotate(tags_text=Cast("tags", TextField())).filter(
            Q(performer__display_name__icontains=q)
            | Q(performer__login__icontains=q)
            | Q(title__icontains=q)
            | Q(tags_text__icontains=q)
        )
    offline_last = Case(When(status=Room.Status.OFFLINE, then=Value(1)), default=Value(0), output_field=IntegerField())
    ordered = qs.order_by(offline_last.asc(), "-viewer_count", "-live_since", "slug").iterator(chunk_size=200)
    # Tag (where the database cannot) and region filters run before the limit, so none is lost.
    visible = (
        r for r in ordered if (not tag or in_database or tag in r.tags) and not is_blocked(location, r.blocked_regions)
    )
    return list(islice(visible, limit))


def directory_tags(*, location: Location, limit: int = 16) -> list[str]:
    """The tags of the rooms a viewer can see, most used first (ties alphabetically): the directory's chips."""
    counts: Counter[str] = Counter()
    for tags, blocked in Room.objects.values_list("tags", "blocked_regions").iterator(chunk_size=500):
        if not is_blocked(location, blocked):
            counts.update(t for t in tags if isinstance(t, str))
    return [tag for tag, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def follower_counts(room_ids: list[str]) -> dict[str, int]:
    rows = Follow.objects.filter(room_id__in=room_ids).values("room_id").annotate(n=Count("id"))
    return {row["room_id"]: row["n"] for row in rows}


def followed_room_ids(*, user_id: str | None, room_ids: list[str]) -> set[str]:
    if not user_id:
        return set()
    return set(Follow.objects.filter(user_id=user_id, room_id__in=room_ids).values_list("room_id", flat=True))


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


def next_show_subquery() -> Subquery:
    """The start of a room's next scheduled show, for `.annotate(next_show_at=…)` (the directory's cards)."""
    shows = ScheduledShow.objects.filter(room=OuterRef("pk"), starts_at__gte=timezone.now()).order_by("starts_at")
    return Subquery(shows.values("starts_at")[:1])


def upcoming_shows(room: Room, *, limit: int = 30) -> list[ScheduledShow]:
    """The room's shows still to start, soonest first."""
    return list(ScheduledShow.objects.filter(room=room, starts_at__gte=timezone.now()).order_by("starts_at")[:limit])


def next_show(room: Room) -> ScheduledShow | None:
    return ScheduledShow.objects.filter(room=room, starts_at__gte=timezone.now()).order_by("starts_at").first()


def room_of(user_id: str) -> Room | None:
    """The performer's room, if they have one (staff console's person page)."""
    return Room.objects.filter(performer_id=user_id).first()
