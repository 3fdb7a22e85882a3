"""Show pages: request, join, watch, the studio's show controls, statements.

Every action is a POST form that calls one service and redirects (the show page, the room or the studio),
with the service's refusal as a flash message; the show page polls its own state and sends heartbeats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.shows import errors, selectors, services
from stagedoor.shows.models import ParticipantStatus, Show, ShowKind


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required
    return user


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _act(request: HttpRequest, action: Callable[[], Any], *, done: str, ok: str, fail: str) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(_back(request, fail))
    if ok:
        messages.success(request, ok)
    return HttpResponseRedirect(done)


# --- the show page --------------------------------------------------------------------------------------------


def _seat_context(show: Show, me: User) -> dict[str, Any]:
    seat = selectors.participant_of(show, me)
    is_performer = show.performer_id == me.pk
    role = "performer" if is_performer else (seat.role if seat is not None else "staff")
    in_show = seat is not None and seat.status == ParticipantStatus.ACTIVE
    return {
        "show": show,
        "seat": seat,
        "is_performer": is_performer,
        "media_role": role,
        "in_show": in_show,
        "low_funds": bool(in_show and seat is not None and seat.low_funds_warned_at is not None),
        "seats": list(selectors.seats_of(show)) if is_performer or selectors.can_read_any(me) else [],
        "config": selectors.shows_config(),
    }


@login_required
def show_page(request: HttpRequest, show_id: str) -> HttpResponse:
    me = _me(request)
    try:
        show = selectors.access_show(me, show_id)
    except errors.ShowNotFound:
        return render(
            request, "web/message.html", {"title": "Show not found", "message": "That show does not exist."}, status=404
        )
    return render(request, "shows/show.html", _seat_context(show, me))


@login_required
def show_state(request: HttpRequest, show_id: str) -> HttpResponse:
    """What the show page polls: the show's status and the viewer's seat (JSON, no-store)."""
    me = _me(request)
    try:
        show = selectors.access_show(me, show_id)
    except errors.ShowNotFound:
        return JsonResponse({"code": "shows.not_found"}, status=404)
    seat = selectors.participant_of(show, me)
    body = {
        "status": show.status,
        "seat": None
        if seat is None
        else {
            "status": seat.status,
            "minutes_billed": seat.minutes_billed,
            "paid_until": seat.paid_until.isoformat() if seat.paid_until else None,
            "low_funds": seat.low_funds_warned_at is not None,
            "leave_reason": seat.leave_reason,
        },
    }
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def statement_page(request: HttpRequest, show_id: str) -> HttpResponse:
    me = _me(request)
    try:
        statement = selectors.show_statement(me, show_id)
    except errors.ShowNotFound:
        return render(
            request, "web/message.html", {"title": "Show not found", "message": "That show does not exist."}, status=404
        )
    return render(request, "shows/statement.html", {"statement": statement, "show": statement.show})


# --- viewers --------------------------------------------------------------------------------------------------


@login_required
@require_POST
def private_request(request: HttpRequest, performer_id: str) -> HttpResponse:
    me = _me(request)
    performer = User.objects.filter(pk=performer_id, role=Role.PERFORMER).first()
    fail = _back(request, "/")
    if performer is None:
        messages.error(request, "That performer does not exist.")
        return HttpResponseRedirect(fail)
    try:
        require_perm(me, Perm.SHOW_JOIN)
        show = services.private_request(viewer=me, performer=performer)
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(fail)
    messages.success(request, "Your request is sent; the first minute is on hold until the performer answers.")
    return HttpResponseRedirect(f"/shows/{show.pk}")


def _viewer_action(name: str) -> Callable[[HttpRequest, str], HttpResponse]:
    calls: dict[str, tuple[Callable[..., Any], str]] = {
        "join": (services.group_join, "You joined the group show."),
        "ticket": (services.ticket_buy, "Your ticket is bought; it is charged when the show starts."),
        "spy": (services.spy_join, "You are watching as a spy."),
    }
    call, ok = calls[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, show_id: str) -> HttpResponse:
        me = _me(request)

        def act() -> None:
            require_perm(me, Perm.SHOW_JOIN)
            call(viewer=me, show_id=show_id)

        return _act(request, act, done=f"/shows/{show_id}", ok=ok, fail=f"/shows/{show_id}")

    view.__name__ = f"show_{name}"
    return view


@login_required
@require_POST
def leave(request: HttpRequest, show_id: str) -> HttpResponse:
    me = _me(request)
    return _act(
        request,
        lambda: services.participant_leave(viewer=me, show_id=show_id),
        done=_back(request, f"/shows/{show_id}"),
        ok="You left the show.",
        fail=f"/shows/{show_id}",
    )


# --- performers -----------------------------------------------------------------------------------------------


def _performer_action(name: str) -> Callable[[HttpRequest, str], HttpResponse]:
    def start(performer: User, show_id: str) -> Show:
        show = selectors.access_own_show(performer, show_id)
        if show.kind == ShowKind.TICKET:
            return services.ticket_start(performer=performer, show_id=show_id)
        return services.group_start(performer=performer, show_id=show_id)

    calls: dict[str, tuple[Callable[..., Any], str, bool]] = {
        "accept": (services.private_accept, "The private show is live.", True),
        "decline": (services.private_decline, "Request declined; the viewer's hold is released.", False),
        "start": (start, "The show is live.", True),
        "end": (services.show_end, "The show has ended.", False),
        "cancel": (services.ticket_cancel, "Show cancelled; every ticket is refunded.", False),
    }
    call, ok, to_show = calls[name]

    @login_required
    @require_POST
    def view(request: HttpRequest, show_id: str) -> HttpResponse:
        me = _me(request)

        def act() -> None:
            require_perm(me, Perm.SHOW_HOST)
            if name == "start":
                call(me, show_id)
            else:
                call(performer=me, show_id=show_id)

        done = f"/shows/{show_id}" if to_show else _back(request, "/studio")
        return _act(request, act, done=done, ok=ok, fail=_back(request, "/studio"))

    view.__name__ = f"show_{name}"
    return view


def _int(raw: str | None) -> Any:
    try:
        return int(raw or "")
    except ValueError:
        return raw


@login_required
@require_POST
def studio_settings(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    post = request.POST
    changes: dict[str, Any] = {
        "private_enabled": post.get("private_enabled") == "on",
        "group_enabled": post.get("group_enabled") == "on",
        "spy_enabled": post.get("spy_enabled") == "on",
        "cam2cam_enabled": post.get("cam2cam_enabled") == "on",
        "private_rate": _int(post.get("private_rate")),
        "group_rate": _int(post.get("group_rate")),
        "group_minimum": _int(post.get("group_minimum")),
        "spy_rate": _int(post.get("spy_rate")),
    }

    def act() -> None:
        require_perm(me, Perm.SHOW_HOST)
        services.show_settings_update(performer=me, **changes)

    return _act(request, act, done="/studio#studio-shows", ok="Show settings saved.", fail="/studio#studio-shows")


@login_required
@require_POST
def studio_group(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    created: dict[str, Show] = {}

    def act() -> None:
        require_perm(me, Perm.SHOW_HOST)
        created["show"] = services.group_open(performer=me, minimum=_int(request.POST.get("minimum")) or None)

    response = _act(request, act, done="", ok="", fail="/studio#studio-shows")
    if "show" in created:
        messages.success(request, "Group show open: it starts when the minimum have joined.")
        return HttpResponseRedirect(f"/shows/{created['show'].pk}")
    return response


@login_required
@require_POST
def studio_ticket(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    raw = request.POST.get("starts_at", "")
    starts: datetime | None = parse_datetime(raw) if raw else None
    if starts is not None and timezone.is_naive(starts):
        starts = timezone.make_aware(starts, UTC)

    def act() -> None:
        require_perm(me, Perm.SHOW_HOST)
        if starts is None:
            raise errors.InvalidSchedule()
        services.ticket_schedule(
            performer=me,
            title=request.POST.get("title", ""),
            starts_at=starts,
            price=_int(request.POST.get("price")),
        )

    return _act(request, act, done="/studio#studio-shows", ok="Ticket show scheduled.", fail="/studio#studio-shows")


urlpatterns: list[URLPattern | URLResolver] = [
    path("shows/request/<str:performer_id>", private_request, name="request"),
    path("shows/studio/settings", studio_settings, name="studio-settings"),
    path("shows/studio/group", studio_group, name="studio-group"),
    path("shows/studio/ticket", studio_ticket, name="studio-ticket"),
    path("shows/<str:show_id>", show_page, name="show"),
    path("shows/<str:show_id>/state", show_state, name="state"),
    path("shows/<str:show_id>/statement", statement_page, name="statement"),
    path("shows/<str:show_id>/leave", leave, name="leave"),
    *[path(f"shows/<str:show_id>/{name}", _viewer_action(name), name=name) for name in ("join", "ticket", "spy")],
    *[
        path(f"shows/<str:show_id>/{name}", _performer_action(name), name=name)
        for name in ("accept", "decline", "start", "end", "cancel")
    ],
]
