"""Reads for notifications: preferences, devices, alerts and their counts, the schedule of upcoming shows."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from stagedoor.core.geo import Location, is_blocked
from stagedoor.notifications.models import LiveAlert, Notification, Preference, PushSubscription, VapidKey
from stagedoor.rooms.models import Follow, ScheduledShow

SCHEDULE_DAYS = 14
SCHEDULE_LIMIT = 100


def endpoint_hash(endpoint: str) -> str:
    """A keyed hash of a push endpoint: finds a device again (dedupe, unsubscribe) without storing the endpoint in
    the clear. Keyed with a key derived from SECRET_KEY, so the column alone does not confirm a guessed endpoint."""
    key = hashlib.sha256(b"stagedoor.notifications.endpoint|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, endpoint.encode(), hashlib.sha256).hexdigest()


def preference_of(user: Any) -> Preference:
    """The person's preferences, or the defaults (not saved) if they never changed them."""
    found = Preference.objects.filter(user_id=user.pk).first()
    return found if found is not None else Preference(user_id=user.pk)


def vapid_key() -> VapidKey | None:
    return VapidKey.objects.filter(name="default").first()


def devices_of(user: Any) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user_id=user.pk).order_by("created_at")


def device_by_endpoint(user: Any, endpoint: str) -> PushSubscription | None:
    return PushSubscription.objects.filter(user_id=user.pk, endpoint_hash=endpoint_hash(endpoint)).first()


def alert_by_id(alert_id: str) -> LiveAlert | None:
    return LiveAlert.objects.select_related("room", "room__performer").filter(pk=alert_id).first()


def last_alert_of_room(room_id: str) -> LiveAlert | None:
    return LiveAlert.objects.filter(room_id=room_id).order_by("-started_at", "-created_at").first()


def open_alert_of_room(room_id: str) -> LiveAlert | None:
    return LiveAlert.objects.filter(room_id=room_id, ended_at__isnull=True).order_by("-started_at").first()


def alert_counts(alert_ids: list[str]) -> dict[str, dict[str, int]]:
    """`{alert id: {status: notifications}}`."""
    out: dict[str, dict[str, int]] = {a: {} for a in alert_ids}
    rows = Notification.objects.filter(alert_id__in=alert_ids).values("alert_id", "status").annotate(n=Count("id"))
    for row in rows:
        out[row["alert_id"]][row["status"]] = row["n"]
    return out


def recent_alerts(*, limit: int = 50) -> list[LiveAlert]:
    return list(LiveAlert.objects.select_related("room", "room__performer").order_by("-started_at")[:limit])


def notifications_of(user: Any, *, limit: int = 20) -> list[Notification]:
    return list(
        Notification.objects.filter(user_id=user.pk).select_related("alert", "alert__room").order_by("-id")[:limit]
    )


def due_deferred_ids(*, now: datetime, limit: int = 1000) -> list[int]:
    return list(
        Notification.objects.filter(status=Notification.Status.DEFERRED, deliver_after__lte=now)
        .order_by("deliver_after")
        .values_list("id", flat=True)[:limit]
    )


def stale_queued_ids(*, queued_before: datetime, claimed_before: datetime, limit: int = 1000) -> list[int]:
    """Notifications no batch delivered: queued and left (a retry, a lost job) or claimed by a batch that died."""
    return list(
        Notification.objects.filter(
            Q(status=Notification.Status.QUEUED, created_at__lte=queued_before)
            | Q(status=Notification.Status.SENDING, claimed_at__lte=claimed_before)
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )


@dataclass(frozen=True)
class ScheduleEntry:
    starts_at: datetime
    duration_minutes: int
    title: str
    room_slug: str
    room_title: str
    performer_name: str
    following: bool
    live_now: bool


def schedule(*, location: Location, user_id: Any = None, following_only: bool = False) -> list[ScheduleEntry]:
    """Shows announced for the next two weeks, soonest first; rooms blocked where the viewer is are left out."""
    now = timezone.now()
    qs = (
        ScheduledShow.objects.select_related("room", "room__performer")
        .filter(starts_at__gte=now - timedelta(minutes=30), starts_at__lte=now + timedelta(days=SCHEDULE_DAYS))
        .order_by("starts_at", "room__slug")
    )
    followed: set[str] = set()
    if user_id is not None:
        followed = set(Follow.objects.filter(user_id=user_id).values_list("room_id", flat=True))
        if following_only:
            qs = qs.filter(room_id__in=followed)
    elif following_only:
        return []
    entries: list[ScheduleEntry] = []
    for show in qs.iterator(chunk_size=200):
        room = show.room
        if show.starts_at + timedelta(minutes=show.duration_minutes) < now or is_blocked(
            location, room.blocked_regions
        ):
            continue
        entries.append(
            ScheduleEntry(
                starts_at=show.starts_at,
                duration_minutes=show.duration_minutes,
                title=show.title or room.title,
                room_slug=room.slug,
                room_title=room.title,
                performer_name=room.performer.shown_name,
                following=room.id in followed,
                live_now=room.is_live,
            )
        )
        if len(entries) >= SCHEDULE_LIMIT:
            break
    return entries
