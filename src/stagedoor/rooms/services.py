"""Every write to rooms: creation, settings, live status, region blocks, follows, the show schedule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.rooms import errors, events
from stagedoor.rooms.models import Follow, Room, ScheduledShow

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


# --- the show schedule ------------------------------------------------------------------

MAX_UPCOMING_SHOWS = 30
SCHEDULE_HORIZON = timedelta(days=366)
SHOW_MINUTES = (15, 720)


@dataclass(frozen=True)
class ShowPlan:
    starts_at: datetime
    duration_minutes: int = 60
    title: str = ""


def _clean_show(plan: ShowPlan, *, now: datetime) -> ShowPlan:
    if not isinstance(plan.starts_at, datetime) or timezone.is_naive(plan.starts_at):
        raise ValidationFailed.of_field("starts_at", "Give a date and time.")
    starts_at = plan.starts_at.replace(second=0, microsecond=0)
    if starts_at <= now:
        raise ValidationFailed.of_field("starts_at", "Pick a time in the future.")
    if starts_at > now + SCHEDULE_HORIZON:
        raise ValidationFailed.of_field("starts_at", "Schedule at most a year ahead.")
    duration: Any = plan.duration_minutes
    lo, hi = SHOW_MINUTES
    if isinstance(duration, bool) or not isinstance(duration, int) or not lo <= duration <= hi:
        raise ValidationFailed.of_field("duration_minutes", f"Use {lo} to {hi} minutes.")
    title = (plan.title or "").strip() if isinstance(plan.title, str) else ""
    if len(title) > 120:
        raise ValidationFailed.of_field("title", "Use at most 120 characters.")
    return ShowPlan(starts_at=starts_at, duration_minutes=duration, title=title)


def _show_data(show: ScheduledShow) -> dict[str, Any]:
    return {"starts_at": show.starts_at.isoformat(), "duration_minutes": show.duration_minutes, "title": show.title}


def room_schedule_add(*, room: Room, actor: User, plan: ShowPlan, ip: str = "") -> ScheduledShow:
    """Announce one upcoming show. Audited. At most MAX_UPCOMING_SHOWS ahead; one show per start time."""
    now = timezone.now()
    plan = _clean_show(plan, now=now)
    with transaction.atomic():
        Room.objects.select_for_update().filter(pk=room.pk).first()  # one schedule change of a room at a time
        upcoming = ScheduledShow.objects.filter(room=room, starts_at__gte=now)
        if upcoming.count() >= MAX_UPCOMING_SHOWS:
            raise ValidationFailed.of_field("starts_at", f"At most {MAX_UPCOMING_SHOWS} upcoming shows.")
        if ScheduledShow.objects.filter(room=room, starts_at=plan.starts_at).exists():
            raise ValidationFailed.of_field("starts_at", "A show already starts then.")
        show = ScheduledShow.objects.create(
            room=room, starts_at=plan.starts_at, duration_minutes=plan.duration_minutes, title=plan.title
        )
        audit_record(actor=actor, action="room.show_scheduled", target=room, ip=ip, data=_show_data(show))
    return show


def room_schedule_remove(*, room: Room, actor: User, show_id: str, ip: str = "") -> None:
    """Take a show off the schedule. Audited."""
    with transaction.atomic():
        show = ScheduledShow.objects.select_for_update().filter(pk=show_id, room=room).first()
        if show is None:
            raise errors.ShowNotFound()
        data = _show_data(show)
        show.delete()
        audit_record(actor=actor, action="room.show_unscheduled", target=room, ip=ip, data=data)


def room_schedule_set(*, room: Room, actor: User | str, plans: list[ShowPlan], ip: str = "") -> list[ScheduledShow]:
    """Replace every upcoming show with `plans` (all valid, or nothing changes). Past shows stay. Audited."""
    now = timezone.now()
    cleaned = sorted((_clean_show(p, now=now) for p in plans), key=lambda p: p.starts_at)
    if len(cleaned) > MAX_UPCOMING_SHOWS:
        raise ValidationFailed.of_field("starts_at", f"At most {MAX_UPCOMING_SHOWS} upcoming shows.")
    if len({p.starts_at for p in cleaned}) != len(cleaned):
        raise ValidationFailed.of_field("starts_at", "Two shows start at the same time.")
    with transaction.atomic():
        Room.objects.select_for_update().filter(pk=room.pk).first()
        ScheduledShow.objects.filter(room=room, starts_at__gte=now).delete()
        shows = [
            ScheduledShow.objects.create(
                room=room, starts_at=p.starts_at, duration_minutes=p.duration_minutes, title=p.title
            )
            for p in cleaned
        ]
        audit_record(
            actor=actor, action="room.schedule_set", target=room, ip=ip, data={"shows": [_show_data(s) for s in shows]}
        )
    return shows
