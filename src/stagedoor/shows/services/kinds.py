"""Group, ticket and spy seats, leaving, and the performer ending a show.

- Group: the performer opens one with a minimum; each viewer who joins holds one minute; it goes LIVE (every
  held seat's minute 1 captured) when the minimum is reached, or when the performer starts it once reached.
  A viewer joining a live group show starts at once.
- Ticket: the performer schedules it (title, start, price); a ticket is a hold of the price until the show
  starts — captured in full then, released in full if the performer cancels (the refund). Buying during the
  show captures at once. No per-minute billing.
- Spy: while a private show runs and its performer allows spying, another viewer watches at the spy rate,
  billed per minute like a viewer; no chat, no camera.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.rooms import errors as room_errors
from stagedoor.rooms.services import room_for_performer
from stagedoor.shows import errors
from stagedoor.shows.models import Participant, ParticipantRole, ParticipantStatus, Show, ShowKind, ShowStatus
from stagedoor.shows.selectors.config import shows_config
from stagedoor.shows.selectors.shows import open_show_of_room, seated_count, settings_of
from stagedoor.shows.services.seats import (
    lock_show,
    publish_show,
    seat_activate,
    seat_close,
    seat_place,
    show_finish,
    show_go_live,
)


def _room_of(performer: Any) -> Any:
    """The performer's room (created on first use), or None for someone who is not a performer."""
    try:
        return room_for_performer(performer=performer)
    except room_errors.NotAPerformer:
        return None


def _own(performer: Any, show_id: str) -> Show:
    show = lock_show(show_id)
    if show.performer_id != performer.pk:
        raise errors.NotYourShow()
    return show


# --- group ------------------------------------------------------------------------------------------------


def group_open(*, performer: Any, minimum: int | None = None) -> Show:
    """Open a group show in the performer's room, waiting for `minimum` viewers (default: their setting)."""
    room = _room_of(performer)
    settings = settings_of(performer)
    if room is None or not settings.group_enabled:
        raise errors.ShowsDisabled()
    minimum = settings.group_minimum if minimum is None else minimum
    if not 1 <= minimum <= 100:
        raise errors.ShowStateConflict("The minimum must be between 1 and 100 viewers.")
    if open_show_of_room(room) is not None:
        raise errors.RoomBusy()
    try:
        with transaction.atomic():
            show = Show.objects.create(
                performer=performer,
                room=room,
                kind=ShowKind.GROUP,
                status=ShowStatus.WAITING,
                rate=settings.group_rate,
                minimum=minimum,
            )
            publish_show(show)
    except IntegrityError:
        raise errors.RoomBusy() from None
    return show


def group_join(*, viewer: Any, show_id: str) -> Participant:
    """Join a group show: one minute on hold; the show starts when this seat reaches its minimum."""
    with transaction.atomic():
        show = lock_show(show_id)
        if show.kind != ShowKind.GROUP or show.status not in (ShowStatus.WAITING, ShowStatus.LIVE):
            raise errors.ShowStateConflict(extra={"status": show.status})
        participant = seat_place(show=show, user=viewer, role=ParticipantRole.VIEWER)
        if show.status == ShowStatus.LIVE:
            seat_activate(participant)
        elif seated_count(show) >= show.minimum:
            show_go_live(show)
            participant.refresh_from_db()
    return participant


def group_start(*, performer: Any, show_id: str) -> Show:
    with transaction.atomic():
        show = _own(performer, show_id)
        if show.kind != ShowKind.GROUP or show.status != ShowStatus.WAITING:
            raise errors.ShowStateConflict(extra={"status": show.status})
        if seated_count(show) < show.minimum:
            raise errors.MinimumNotReached(extra={"minimum": show.minimum, "joined": seated_count(show)})
        return show_go_live(show)


# --- ticket -----------------------------------------------------------------------------------------------


def ticket_schedule(*, performer: Any, title: str, starts_at: datetime, price: int) -> Show:
    room = _room_of(performer)
    if room is None:
        raise errors.ShowsDisabled()
    title = (title or "").strip()
    if not title or len(title) > 120 or starts_at <= timezone.now():
        raise errors.InvalidSchedule()
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= shows_config().ticket_max:
        raise errors.InvalidSchedule(extra={"price_max": shows_config().ticket_max})
    with transaction.atomic():
        show = Show.objects.create(
            performer=performer,
            room=room,
            kind=ShowKind.TICKET,
            status=ShowStatus.SCHEDULED,
            title=title,
            starts_at=starts_at,
            ticket_price=price,
        )
        publish_show(show)
    return show


def ticket_buy(*, viewer: Any, show_id: str) -> Participant:
    """Buy a ticket: the price on hold until the show starts (captured then), or captured now if it runs."""
    with transaction.atomic():
        show = lock_show(show_id)
        if show.kind != ShowKind.TICKET or show.status not in (ShowStatus.SCHEDULED, ShowStatus.LIVE):
            raise errors.ShowStateConflict(extra={"status": show.status})
        participant = seat_place(show=show, user=viewer, role=ParticipantRole.TICKET)
        if show.status == ShowStatus.LIVE:
            seat_activate(participant)
    return participant


def ticket_start(*, performer: Any, show_id: str) -> Show:
    """Start a scheduled ticket show (any time from its scheduled start, or earlier if the performer
    chooses): every ticket is captured in full."""
    with transaction.atomic():
        show = _own(performer, show_id)
        if show.kind != ShowKind.TICKET or show.status != ShowStatus.SCHEDULED:
            raise errors.ShowStateConflict(extra={"status": show.status})
        return show_go_live(show)


def ticket_cancel(*, performer: Any, show_id: str) -> Show:
    """Cancel a scheduled ticket show: every ticket's hold is released in full (the refund)."""
    with transaction.atomic():
        show = _own(performer, show_id)
        if show.kind != ShowKind.TICKET or show.status != ShowStatus.SCHEDULED:
            raise errors.ShowStateConflict(extra={"status": show.status})
        return show_finish(show, status=ShowStatus.CANCELLED, reason="cancelled")


# --- spy --------------------------------------------------------------------------------------------------


def spy_join(*, viewer: Any, show_id: str) -> Participant:
    """Watch a live private show as a spy at its spy rate (less a fan's discount); minute 1 paid now."""
    with transaction.atomic():
        show = lock_show(show_id)
        if show.kind != ShowKind.PRIVATE or show.status != ShowStatus.LIVE:
            raise errors.ShowStateConflict(extra={"status": show.status})
        if show.spy_rate <= 0 or not settings_of(show.performer).spy_enabled:
            raise errors.SpyingNotAllowed()
        participant = seat_place(show=show, user=viewer, role=ParticipantRole.SPY)
        return seat_activate(participant)


# --- leaving and ending -----------------------------------------------------------------------------------


def participant_leave(*, viewer: Any, show_id: str) -> Participant:
    """Leave a show (any time): a held seat gets its hold back, an active one stops being billed."""
    with transaction.atomic():
        lock_show(show_id)
        participant = Participant.objects.select_for_update().filter(show_id=show_id, user_id=viewer.pk).first()
        if participant is None:
            raise errors.NotInShow()
        if participant.status not in (ParticipantStatus.HELD, ParticipantStatus.ACTIVE):
            return participant
        show = participant.show
        if show.kind == ShowKind.PRIVATE and show.status == ShowStatus.REQUESTED:
            show_finish(lock_show(show.pk), status=ShowStatus.CANCELLED, reason="cancelled")
            participant.refresh_from_db()
            return participant
        return seat_close(participant, reason="left")


def show_end(*, performer: Any, show_id: str) -> Show:
    """The performer ends a running show (or closes a group show still waiting: holds released)."""
    with transaction.atomic():
        show = _own(performer, show_id)
        if show.status == ShowStatus.WAITING:
            return show_finish(show, status=ShowStatus.CANCELLED, reason="cancelled")
        if show.status != ShowStatus.LIVE:
            raise errors.ShowStateConflict(extra={"status": show.status})
        return show_finish(show, status=ShowStatus.ENDED, reason="performer_ended")
