"""Private shows: a viewer asks (the first minute on hold), the performer accepts — the show goes live and
every other pending request for the room is declined — or declines; the viewer may cancel; unanswered
requests expire after `request_timeout_s`. Declined, cancelled and expired requests give the hold back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.rooms import errors as room_errors
from stagedoor.rooms.services import room_for_performer
from stagedoor.shows import errors
from stagedoor.shows.models import ParticipantRole, Show, ShowKind, ShowStatus
from stagedoor.shows.selectors.config import shows_config
from stagedoor.shows.selectors.shows import open_show_of_room, settings_of
from stagedoor.shows.services.seats import lock_show, publish_show, seat_place, show_finish, show_go_live


def _room_of(performer: Any) -> Any:
    """The performer's room (created on first use), or None for someone who is not a performer."""
    try:
        return room_for_performer(performer=performer)
    except room_errors.NotAPerformer:
        return None


def private_request(*, viewer: Any, performer: Any) -> Show:
    """Ask `performer` for a private show. The first minute (the rate, less a fan's discount) goes on hold
    now. Asking again while a request is pending answers that request."""
    room = _room_of(performer)
    settings = settings_of(performer)
    if room is None or not settings.private_enabled:
        raise errors.ShowsDisabled()
    if viewer.pk == performer.pk:
        raise errors.OwnShow()
    pending = Show.objects.filter(
        room=room, kind=ShowKind.PRIVATE, status=ShowStatus.REQUESTED, requested_by_id=viewer.pk
    ).first()
    if pending is not None:
        return pending
    if open_show_of_room(room) is not None:
        raise errors.RoomBusy()
    with transaction.atomic():
        show = Show.objects.create(
            performer=performer,
            room=room,
            kind=ShowKind.PRIVATE,
            status=ShowStatus.REQUESTED,
            rate=settings.private_rate,
            spy_rate=settings.spy_rate if settings.spy_enabled else 0,
            requested_by=viewer,
        )
        seat_place(show=show, user=viewer, role=ParticipantRole.VIEWER)
        publish_show(show)
    return show


def _own_request(performer: Any, show_id: str) -> Show:
    show = lock_show(show_id)
    if show.performer_id != performer.pk:
        raise errors.NotYourShow()
    if show.kind != ShowKind.PRIVATE or show.status != ShowStatus.REQUESTED:
        raise errors.ShowStateConflict(extra={"status": show.status})
    return show


def private_accept(*, performer: Any, show_id: str) -> Show:
    """Accept a request: the show goes live (minute 1 captured from the hold) and the room's other pending
    requests are declined."""
    with transaction.atomic():
        show = _own_request(performer, show_id)
        now = timezone.now()
        show_go_live(show, now=now)
        for other in Show.objects.filter(room_id=show.room_id, kind=ShowKind.PRIVATE, status=ShowStatus.REQUESTED):
            show_finish(lock_show(other.pk), status=ShowStatus.DECLINED, reason="another_accepted", now=now)
    return show


def private_decline(*, performer: Any, show_id: str) -> Show:
    with transaction.atomic():
        show = _own_request(performer, show_id)
        return show_finish(show, status=ShowStatus.DECLINED, reason="declined")


def private_cancel(*, viewer: Any, show_id: str) -> Show:
    """The viewer withdraws a request the performer has not answered yet."""
    with transaction.atomic():
        show = lock_show(show_id)
        if show.requested_by_id != viewer.pk or show.kind != ShowKind.PRIVATE:
            raise errors.NotInShow()
        if show.status != ShowStatus.REQUESTED:
            raise errors.ShowStateConflict(extra={"status": show.status})
        return show_finish(show, status=ShowStatus.CANCELLED, reason="cancelled")


def requests_expire(*, now: Any = None) -> int:
    """Expire private requests older than `request_timeout_s` (holds released). Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=shows_config().request_timeout_s)
    expired = 0
    for show_id in Show.objects.filter(
        kind=ShowKind.PRIVATE, status=ShowStatus.REQUESTED, created_at__lte=cutoff
    ).values_list("pk", flat=True):
        with transaction.atomic():
            show = lock_show(show_id)
            if show.status == ShowStatus.REQUESTED:
                show_finish(show, status=ShowStatus.EXPIRED, reason="expired", now=now)
                expired += 1
    return expired
