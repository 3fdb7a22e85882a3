"""Every write to rooms: creation, settings, live status, region blocks, follows."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.rooms import errors, events
from stagedoor.rooms.models import Follow, Room

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
MAX_TAGS = 8
MAX_REGIONS = 300


def room_for_performer(*, performer: User) -> Room:
    """The performer's room, created on first use."""
    if performer.role != Role.PERFORMER:
        raise errors.NotAPerformer()
    room = Room.objects.filter(performer=performer).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            return Room.objects.create(
                performer=performer, slug=performer.login.replace("_", "-"), title=f"{performer.shown_name}'s room"
            )
    except IntegrityError:
        return Room.objects.get(performer=performer)


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in tags:
        tag = raw.strip().lower().lstrip("#")
        if not TAG_RE.match(tag):
            raise ValidationFailed(extra={"fields": {"tags": [f"{raw!r}: use 1–24 letters, digits or hyphens."]}})
        if tag not in cleaned:
            cleaned.append(tag)
    if len(cleaned) > MAX_TAGS:
        raise ValidationFailed(extra={"fields": {"tags": [f"Use at most {MAX_TAGS} tags."]}})
    return cleaned


def room_update(
    *, room: Room, title: str | None = None, topic: str | None = None, tags: list[str] | None = None
) -> Room:
    fields: dict[str, list[str]] = {}
    if title is not None and len(title.strip()) > 120:
        fields["title"] = ["Use at most 120 characters."]
    if topic is not None and len(topic.strip()) > 280:
        fields["topic"] = ["Use at most 280 characters."]
    if fields:
        raise ValidationFailed(extra={"fields": fields})
    if title is not None:
        room.title = title.strip()
    if topic is not None:
        room.topic = topic.strip()
    if tags is not None:
        room.tags = _clean_tags(tags)
    room.save(update_fields=["title", "topic", "tags"])
    return room


def _normalize_regions(regions: list[str]) -> list[str]:
    return sorted({r.strip().upper() for r in regions if r.strip()})


def room_set_blocked_regions(*, room: Room, actor: User, regions: list[str], ip: str = "") -> Room:
    cleaned = _normalize_regions(regions)
    bad = [r for r in cleaned if not REGION_RE.match(r)]
    if bad or len(cleaned) > MAX_REGIONS:
        raise errors.InvalidRegion(extra={"invalid": bad[:20]})
    with transaction.atomic():
        before = list(room.blocked_regions)
        room.blocked_regions = cleaned
        room.save(update_fields=["blocked_regions"])
        audit_record(
            actor=actor, action="room.regions_blocked", target=room, ip=ip, data={"from": before, "to": cleaned}
        )
    return room


def room_configure(
    *, room: Room, actor: User, title: str, topic: str, tags: list[str], regions: list[str], ip: str = ""
) -> Room:
    """Save the studio's settings form: all of it, or (on any invalid field) none of it."""
    with transaction.atomic():
        room_update(room=room, title=title, topic=topic, tags=tags)
        if _normalize_regions(regions) != room.blocked_regions:
            room_set_blocked_regions(room=room, actor=actor, regions=regions, ip=ip)
    return room


def room_set_status(*, room: Room, status: str) -> Room:
    """Called by streaming when a publish starts, drops (reconnecting) or ends."""
    if status not in Room.Status.values:
        raise ValueError(f"unknown room status {status!r}")
    with transaction.atomic():
        before = room.status
        room.status = status
        if status == Room.Status.LIVE and before == Room.Status.OFFLINE:
            room.live_since = timezone.now()
        if status == Room.Status.OFFLINE:
            room.live_since = None
            room.viewer_count = 0
        room.save(update_fields=["status", "live_since", "viewer_count"])
        if before != status:
            outbox_publish(topic=events.ROOM_STATUS_CHANGED, payload={"room_id": room.id, "from": before, "to": status})
    return room


def room_set_viewer_count(*, room_id: str, count: int) -> None:
    Room.objects.filter(pk=room_id).update(viewer_count=max(0, count))


def room_set_thumbnail(*, room_id: str, path: str) -> None:
    Room.objects.filter(pk=room_id).update(thumbnail_path=path[:300])


def room_follow(*, user: User, room: Room) -> bool:
    """Follow a room. True if this created the follow, False if it already existed."""
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, room=room)
    except IntegrityError:
        return False
    return True


def room_unfollow(*, user: User, room: Room) -> bool:
    deleted, _ = Follow.objects.filter(user=user, room=room).delete()
    return deleted > 0
