"""Room pages: the room itself and the performer's studio (room settings, the show schedule)."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms import errors, selectors, services
from stagedoor.rooms.forms import RoomSettingsForm, ScheduleShowForm
from stagedoor.rooms.models import Room
from stagedoor.rooms.presenters import room_card


def room_page(request: HttpRequest, slug: str) -> HttpResponse:
    viewer_id = request.user.pk if request.user.is_authenticated else None
    try:
        room = selectors.access_room_for_viewer(slug, location=location_for_request(request), viewer_id=viewer_id)
    except errors.RoomRegionBlocked as exc:
        return render(request, "web/message.html", {"title": "Not available here", "message": exc.message}, status=451)
    except errors.RoomNotFound as exc:
        # the site's 404 page: a way back to the directory (and to the page the visitor came from)
        return render(request, "404.html", {"title": "No such room", "message": exc.message}, status=404)
    context = {
        "room": room,
        "card": room_card(room),
        "is_owner": viewer_id == room.performer_id,
        "following": selectors.is_following(user_id=viewer_id, room=room),
        "followers": selectors.follower_count(room),
    }
    return render(request, "rooms/room.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def studio(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if user.role != Role.PERFORMER:
        return render(
            request,
            "web/message.html",
            {"title": "Studio", "message": "The studio is for performers. Apply on your account page."},
            status=403,
        )
    room = services.room_for_performer(performer=user)
    initial = {
        "title": room.title,
        "topic": room.topic,
        "tags": " ".join(room.tags),
        "blocked_regions": " ".join(room.blocked_regions),
    }
    form = RoomSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_configure(
                room=room,
                actor=user,
                title=form.cleaned_data["title"],
                topic=form.cleaned_data["topic"],
                tags=form.cleaned_data["tags"].replace(",", " ").split(),
                regions=form.cleaned_data["blocked_regions"].replace(",", " ").split(),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            room.refresh_from_db()
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Room settings saved.")
            return HttpResponseRedirect("/studio")
    status = 400 if request.method == "POST" else 200
    context = {"room": room, "form": form, **_schedule_context(room)}
    return render(request, "rooms/studio.html", context, status=status)


# --- the studio's show schedule -----------------------------------------------------------

SCHEDULE_PREFIX = "show"


def _schedule_context(room: Room, form: ScheduleShowForm | None = None) -> dict[str, object]:
    return {
        "schedule_form": form or ScheduleShowForm(prefix=SCHEDULE_PREFIX),
        "shows": selectors.upcoming_shows(room),
    }


def _schedule_reply(
    request: HttpRequest, room: Room, *, notice: str = "", error: str = "", form: ScheduleShowForm | None = None
) -> HttpResponse:
    """htmx: the schedule card again (a refusal shown in it, status 200 so htmx swaps it). Else back to the studio."""
    if request.headers.get("HX-Request") == "true":
        context = {"room": room, "schedule_notice": notice, "schedule_error": error, **_schedule_context(room, form)}
        return render(request, "rooms/_studio_schedule.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return HttpResponseRedirect("/studio#studio-schedule")


def _performer_room(request: HttpRequest) -> Room | None:
    user = cast(User, request.user)
    return services.room_for_performer(performer=user) if user.role == Role.PERFORMER else None


def _not_a_performer(request: HttpRequest) -> HttpResponse:
    message = "The studio is for performers. Apply on your account page."
    return render(request, "web/message.html", {"title": "Studio", "message": message}, status=403)


@login_required
@require_POST
def studio_schedule_add(request: HttpRequest) -> HttpResponse:
    room = _performer_room(request)
    if room is None:
        return _not_a_performer(request)
    form = ScheduleShowForm(request.POST, prefix=SCHEDULE_PREFIX)
    if not form.is_valid():
        return _schedule_reply(request, room, error="Check the show's time and length.", form=form)
    plan = services.ShowPlan(
        starts_at=form.cleaned_data["starts_at"],
        duration_minutes=form.cleaned_data["duration_minutes"],
        title=form.cleaned_data["title"],
    )
    try:
        show = services.room_schedule_add(room=room, actor=cast(User, request.user), plan=plan, ip=client_ip(request))
    except ApplicationError as exc:
        return _schedule_reply(request, room, error=refusal_text(exc), form=form)
    return _schedule_reply(request, room, notice=f"Show on {show.starts_at:%a %d %b, %H:%M} UTC added.")


@login_required
@require_POST
def studio_schedule_remove(request: HttpRequest, show_id: str) -> HttpResponse:
    room = _performer_room(request)
    if room is None:
        return _not_a_performer(request)
    try:
        services.room_schedule_remove(room=room, actor=cast(User, request.user), show_id=show_id, ip=client_ip(request))
    except ApplicationError as exc:
        return _schedule_reply(request, room, error=refusal_text(exc))
    return _schedule_reply(request, room, notice="Show removed from the schedule.")
