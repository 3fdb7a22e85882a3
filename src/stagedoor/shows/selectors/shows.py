"""Reads of shows and participants, and `access_*` helpers that fetch and authorize in one call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.shows import errors
from stagedoor.shows.models import (
    OPEN_STATUSES,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Show,
    ShowKind,
    ShowSettings,
    ShowStatus,
)
from stagedoor.shows.selectors.config import minute_length

SEATED = (ParticipantStatus.HELD, ParticipantStatus.ACTIVE)


def settings_of(performer: Any) -> ShowSettings:
    """The performer's show settings (the defaults, unsaved, until they change them)."""
    found = ShowSettings.objects.filter(performer_id=performer.pk).first()
    return found if found is not None else ShowSettings(performer_id=performer.pk)


def show_get(show_id: str) -> Show:
    show = Show.objects.select_related("performer", "room").filter(pk=show_id).first()
    if show is None:
        raise errors.ShowNotFound()
    return show


def participant_of(show: Show, user: Any) -> Participant | None:
    if user is None or not user.is_authenticated:
        return None
    return Participant.objects.filter(show=show, user_id=user.pk).first()


def can_read_any(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and role_has(user.role, Perm.SHOWS_READ_ANY))


def access_show(actor: Any, show_id: str) -> Show:
    """The show, if `actor` is its performer, one of its participants, or staff who may read any show.
    Anyone else gets ShowNotFound (a private show's existence is not public)."""
    show = show_get(show_id)
    if actor is not None and actor.is_authenticated:
        if show.performer_id == actor.pk or can_read_any(actor):
            return show
        if Participant.objects.filter(show=show, user_id=actor.pk).exists():
            return show
        if show.kind == ShowKind.TICKET and show.status in OPEN_STATUSES:
            return show  # a ticket show's card (price, countdown) is for everyone
    raise errors.ShowNotFound()


def access_own_show(actor: Any, show_id: str) -> Show:
    """The show, if `actor` is its performer."""
    show = show_get(show_id)
    if show.performer_id != actor.pk:
        if can_read_any(actor) or Participant.objects.filter(show=show, user_id=actor.pk).exists():
            raise errors.NotYourShow()
        raise errors.ShowNotFound()
    return show


def open_show_of_room(room: Any) -> Show | None:
    """The room's running show (waiting for a group's minimum, or live), if any."""
    return (
        Show.objects.filter(room_id=room.pk, status__in=[ShowStatus.WAITING, ShowStatus.LIVE])
        .select_related("performer")
        .first()
    )


def pending_requests(performer: Any) -> QuerySet[Show]:
    """Private show requests waiting for the performer, oldest first."""
    return (
        Show.objects.filter(performer_id=performer.pk, kind=ShowKind.PRIVATE, status=ShowStatus.REQUESTED)
        .select_related("requested_by")
        .order_by("created_at")
    )


def scheduled_tickets(room: Any) -> QuerySet[Show]:
    return Show.objects.filter(room_id=room.pk, kind=ShowKind.TICKET, status=ShowStatus.SCHEDULED).order_by("starts_at")


def shows_of_performer(performer: Any, *, limit: int = 20) -> list[Show]:
    return list(Show.objects.filter(performer_id=performer.pk).order_by("-created_at")[:limit])


def seats_of(show: Show) -> QuerySet[Participant]:
    return Participant.objects.filter(show=show).select_related("user").order_by("joined_at")


def seated_count(show: Show, *, role: str = ParticipantRole.VIEWER) -> int:
    return Participant.objects.filter(show=show, role=role, status__in=SEATED).count()


def active_count(show: Show, *, role: str = ParticipantRole.VIEWER) -> int:
    return Participant.objects.filter(show=show, role=role, status=ParticipantStatus.ACTIVE).count()


def participant_access_until(participant: Participant, *, now: datetime | None = None) -> datetime | None:
    """Until when `participant` may receive the show's media: the end of the minute they paid for (per-minute
    seats), or one minute ahead, renewed while the show runs (ticket holders: the ticket pays for the whole
    show). None: not in the show now."""
    now = now or timezone.now()
    if participant.status != ParticipantStatus.ACTIVE:
        return None
    if participant.role == ParticipantRole.TICKET:
        return now + minute_length()
    if participant.paid_until is None or participant.paid_until <= now:
        return None
    return participant.paid_until


@dataclass(frozen=True)
class RoomShowStatus:
    """What a room's page shows about shows: "in private", a group forming or running, upcoming tickets,
    and what the viewer looking at it may do."""

    show: Show | None  # the room's running (waiting or live) show
    label: str  # "" (public), "In a private show", "Group show", "Ticket show"
    in_private: bool
    spy_open: bool  # a private show others may spy on
    tickets: list[Show]
    my_seat: Participant | None  # the viewer's seat in the running show
    my_request: Show | None  # the viewer's pending private request for this room
    my_tickets: set[str]  # ids of scheduled ticket shows the viewer has a ticket for
    settings: ShowSettings


def room_show_status(room: Any, *, viewer: Any = None) -> RoomShowStatus:
    show = open_show_of_room(room)
    label = ""
    if show is not None:
        label = {
            ShowKind.PRIVATE: "In a private show",
            ShowKind.GROUP: "Group show",
            ShowKind.TICKET: "Ticket show",
        }[ShowKind(show.kind)]
    tickets = list(scheduled_tickets(room)[:5])
    my_seat = my_request = None
    my_tickets: set[str] = set()
    if viewer is not None and viewer.is_authenticated:
        if show is not None:
            my_seat = participant_of(show, viewer)
        my_request = (
            Show.objects.filter(room_id=room.pk, kind=ShowKind.PRIVATE, status=ShowStatus.REQUESTED)
            .filter(requested_by_id=viewer.pk)
            .first()
        )
        my_tickets = set(
            Participant.objects.filter(show__in=tickets, user_id=viewer.pk, status__in=SEATED).values_list(
                "show_id", flat=True
            )
        )
    in_private = show is not None and show.kind == ShowKind.PRIVATE and show.status == ShowStatus.LIVE
    return RoomShowStatus(
        show=show,
        label=label,
        in_private=in_private,
        spy_open=in_private and show is not None and show.spy_rate > 0,
        tickets=tickets,
        my_seat=my_seat,
        my_request=my_request,
        my_tickets=my_tickets,
        settings=settings_of(room.performer),
    )


def shows_recent(*, status: str = "", limit: int = 50) -> list[Show]:
    """The newest shows (for staff), optionally of one status."""
    qs = Show.objects.select_related("performer", "room").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def shows_live_count() -> int:
    return Show.objects.filter(status=ShowStatus.LIVE).count()
