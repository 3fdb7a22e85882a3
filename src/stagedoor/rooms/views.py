"""Room pages: the room itself and the performer's studio."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.errors import ApplicationError
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms import errors, selectors, services
from stagedoor.rooms.forms import RoomSettingsForm
from stagedoor.rooms.presenters import room_card


def room_page(request: HttpRequest, slug: str) -> HttpResponse:
    viewer_id = request.user.pk if request.user.is_authenticated else None
    try:
        room = selectors.access_room_for_viewer(slug, location=location_for_request(request), viewer_id=viewer_id)
    except errors.RoomRegionBlocked as exc:
        return render(request, "web/message.html", {"title": "Not available here", "message": exc.message}, status=451)
    except errors.RoomNotFound as exc:
        return render(request, "web/message.html", {"title": "No such room", "message": exc.message}, status=404)
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
    return render(request, "rooms/studio.html", {"room": room, "form": form}, status=status)
