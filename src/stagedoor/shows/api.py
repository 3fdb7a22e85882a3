"""The shows API (see docs/shows.md): settings, private requests, group and ticket shows, spying, leaving,
heartbeats, a show's detail and its statement."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotAuthenticated
from stagedoor.shows import errors, schemas, selectors, services
from stagedoor.shows.models import Participant, ParticipantRole, Show, ShowKind

router = Router(tags=["shows"])


def _me(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if user is None:
        raise NotAuthenticated()
    return user  # type: ignore[no-any-return]


def seat_out(seat: Participant) -> dict[str, Any]:
    return {
        "id": seat.pk,
        "show_id": seat.show_id,
        "user_id": seat.user_id,
        "role": seat.role,
        "status": seat.status,
        "rate": seat.rate,
        "minutes_billed": seat.minutes_billed,
        "paid_until": seat.paid_until,
        "access_until": selectors.participant_access_until(seat),
        "low_funds_warned_at": seat.low_funds_warned_at,
        "left_at": seat.left_at,
        "leave_reason": seat.leave_reason,
        "watermark": seat.watermark,
    }


def show_out(show: Show, viewer: Any) -> dict[str, Any]:
    seat = selectors.participant_of(show, viewer)
    role = ParticipantRole.TICKET if show.kind == ShowKind.TICKET else ParticipantRole.VIEWER
    return {
        "id": show.pk,
        "kind": show.kind,
        "status": show.status,
        "performer_id": show.performer_id,
        "room_id": show.room_id,
        "title": show.title,
        "rate": show.rate,
        "spy_rate": show.spy_rate,
        "minimum": show.minimum,
        "ticket_price": show.ticket_price,
        "starts_at": show.starts_at,
        "created_at": show.created_at,
        "started_at": show.started_at,
        "ended_at": show.ended_at,
        "end_reason": show.end_reason,
        "viewers": selectors.seated_count(show, role=role),
        "my_seat": seat_out(seat) if seat is not None else None,
    }


def settings_out(performer: Any) -> dict[str, Any]:
    s = selectors.settings_of(performer)
    config = selectors.shows_config()
    return {
        "private_enabled": s.private_enabled,
        "private_rate": s.private_rate,
        "group_enabled": s.group_enabled,
        "group_rate": s.group_rate,
        "group_minimum": s.group_minimum,
        "spy_enabled": s.spy_enabled,
        "spy_rate": s.spy_rate,
        "cam2cam_enabled": s.cam2cam_enabled,
        "rate_min": config.rate_min,
        "rate_max": config.rate_max,
    }


def _performer(performer_id: str) -> User:
    performer = User.objects.filter(pk=performer_id, role=Role.PERFORMER, is_active=True).first()
    if performer is None:
        raise errors.ShowNotFound("That performer does not exist.")
    return performer


# --- performers --------------------------------------------------------------------------------------------


@router.get("/me/show-settings", response=schemas.SettingsOut, auth=requires(Perm.SHOW_HOST))
def my_settings(request: HttpRequest) -> dict[str, Any]:
    return settings_out(require_perm(_me(request), Perm.SHOW_HOST))


@router.put("/me/show-settings", response=schemas.SettingsOut, auth=requires(Perm.SHOW_HOST))
def my_settings_update(request: HttpRequest, payload: schemas.SettingsIn) -> dict[str, Any]:
    """Change show prices (whole tokens within `rate_min..rate_max`) and what you offer; only the fields sent
    change. A bad value: 422 with `extra.fields` naming it, and nothing changes."""
    me = require_perm(_me(request), Perm.SHOW_HOST)
    changes = {name: value for name, value in payload.dict().items() if value is not None}
    services.show_settings_update(performer=me, **changes)
    return settings_out(me)


@router.get("/me/show-requests", response=list[schemas.ShowOut], auth=requires(Perm.SHOW_HOST))
def my_requests(request: HttpRequest) -> list[dict[str, Any]]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    return [show_out(show, me) for show in selectors.pending_requests(me)]


@router.post("/shows/{show_id}/accept", response=schemas.ShowOut, auth=requires(Perm.SHOW_HOST))
def accept(request: HttpRequest, show_id: str) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    return show_out(services.private_accept(performer=me, show_id=show_id), me)


@router.post("/shows/{show_id}/decline", response=schemas.ShowOut, auth=requires(Perm.SHOW_HOST))
def decline(request: HttpRequest, show_id: str) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    return show_out(services.private_decline(performer=me, show_id=show_id), me)


@router.post("/shows/group", response={201: schemas.ShowOut}, auth=requires(Perm.SHOW_HOST))
def group_open(request: HttpRequest, payload: schemas.GroupOpenIn) -> Status[dict[str, Any]]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    minimum = payload.minimum
    if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, int)):
        raise errors.ShowStateConflict("The minimum must be a whole number of viewers.")
    return Status(201, show_out(services.group_open(performer=me, minimum=minimum), me))


@router.post("/shows/tickets", response={201: schemas.ShowOut}, auth=requires(Perm.SHOW_HOST))
def ticket_schedule(request: HttpRequest, payload: schemas.TicketScheduleIn) -> Status[dict[str, Any]]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    show = services.ticket_schedule(performer=me, title=payload.title, starts_at=payload.starts_at, price=payload.price)
    return Status(201, show_out(show, me))


@router.post("/shows/{show_id}/start", response=schemas.ShowOut, auth=requires(Perm.SHOW_HOST))
def start(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """Start a group show whose minimum has joined, or a scheduled ticket show (every ticket captured)."""
    me = require_perm(_me(request), Perm.SHOW_HOST)
    show = selectors.access_own_show(me, show_id)
    if show.kind == ShowKind.TICKET:
        return show_out(services.ticket_start(performer=me, show_id=show_id), me)
    return show_out(services.group_start(performer=me, show_id=show_id), me)


@router.post("/shows/{show_id}/cancel", response=schemas.ShowOut, auth=requires(Perm.SHOW_HOST))
def cancel(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """Cancel a scheduled ticket show: every ticket is refunded in full."""
    me = require_perm(_me(request), Perm.SHOW_HOST)
    return show_out(services.ticket_cancel(performer=me, show_id=show_id), me)


@router.post("/shows/{show_id}/end", response=schemas.ShowOut, auth=requires(Perm.SHOW_HOST))
def end(request: HttpRequest, show_id: str) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.SHOW_HOST)
    return show_out(services.show_end(performer=me, show_id=show_id), me)


# --- viewers -----------------------------------------------------------------------------------------------


@router.post("/shows/private", response={201: schemas.ShowOut}, auth=requires(Perm.SHOW_JOIN))
def private_request(request: HttpRequest, payload: schemas.PrivateRequestIn) -> Status[dict[str, Any]]:
    """Ask a performer for a private show: the first minute goes on hold (402 `wallet.insufficient_balance`
    if your wallet cannot cover it). Asking again while the request is pending answers the same request."""
    me = require_perm(_me(request), Perm.SHOW_JOIN)
    show = services.private_request(viewer=me, performer=_performer(payload.performer_id))
    return Status(201, show_out(show, me))


@router.post("/shows/{show_id}/join", response=schemas.SeatOut, auth=requires(Perm.SHOW_JOIN))
def group_join(request: HttpRequest, show_id: str) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.SHOW_JOIN)
    return seat_out(services.group_join(viewer=me, show_id=show_id))


@router.post("/shows/{show_id}/ticket", response=schemas.SeatOut, auth=requires(Perm.SHOW_JOIN))
def ticket_buy(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """Buy a ticket: its price is held until the show starts, and refunded if the performer cancels."""
    me = require_perm(_me(request), Perm.SHOW_JOIN)
    return seat_out(services.ticket_buy(viewer=me, show_id=show_id))


@router.post("/shows/{show_id}/spy", response=schemas.SeatOut, auth=requires(Perm.SHOW_JOIN))
def spy_join(request: HttpRequest, show_id: str) -> dict[str, Any]:
    me = require_perm(_me(request), Perm.SHOW_JOIN)
    return seat_out(services.spy_join(viewer=me, show_id=show_id))


@router.post("/shows/{show_id}/leave", response=schemas.SeatOut, auth=AUTH)
def leave(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """Leave a show (or withdraw a private request); a hold not yet used comes back in full."""
    return seat_out(services.participant_leave(viewer=_me(request), show_id=show_id))


@router.post("/shows/{show_id}/heartbeat", response=schemas.SeatOut, auth=AUTH)
def heartbeat(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """The show page is open (send every few seconds): a seat whose page stops for `heartbeat_s` is let go
    instead of being charged another minute."""
    me = _me(request)
    show = selectors.access_show(me, show_id)
    seat = selectors.participant_of(show, me)
    if seat is None:
        raise errors.NotInShow()
    return seat_out(services.participant_heartbeat(participant=seat))


# --- anyone signed in who may see the show -------------------------------------------------------------------


@router.get("/shows/{show_id}", response=schemas.ShowOut, auth=AUTH)
def detail(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """A show, for its performer, its participants, staff who may read any show, and (a ticket show's
    card) anyone."""
    me = _me(request)
    return show_out(selectors.access_show(me, show_id), me)


@router.get("/shows/{show_id}/statement", response=schemas.ShowStatementOut, auth=AUTH)
def statement(request: HttpRequest, show_id: str) -> dict[str, Any]:
    """Every billed minute (and ticket): your own as a participant, all of them for the performer and staff
    with `shows.read_any`."""
    result = selectors.show_statement(_me(request), show_id)
    return {
        "show_id": result.show.pk,
        "scope": result.scope,
        "total": result.total,
        "lines": [line.__dict__ for line in result.lines],
    }
