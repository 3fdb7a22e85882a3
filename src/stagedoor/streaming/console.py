"""Staff console section of streaming: streams on air with their health; the room panel of a person.

Support tiers may open it too (`Perm.STREAMS_READ_ANY`): "the stream stutters" is a support question,
and the numbers here (input bitrate, fps, keyframe interval, dropped frames, encoder speed) answer it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.console import console_section, user_panel
from stagedoor.rooms.selectors import follower_count, room_of
from stagedoor.streaming import selectors


def streams(request: HttpRequest) -> HttpResponse:
    rows = [{"room": room, "health": selectors.stream_health(room.slug)} for room in selectors.live_rooms()]
    context = {
        "rows": rows,
        "observed": selectors.ingest_observed(),
        "can_open_people": role_has(getattr(request.user, "role", ""), Perm.USERS_READ),
    }
    return render(request, "streaming/console/streams.html", context)


def _streams_blurb(actor: Any) -> str:
    return f"{len(selectors.live_rooms())} on air"


def room_panel(subject: Any, actor: Any) -> dict[str, Any] | None:
    """A performer's room and stream, now; nothing for people without a room."""
    room = room_of(subject.pk)
    if room is None:
        return None
    key = selectors.active_stream_key(subject)
    return {
        "room": room,
        "followers": follower_count(room),
        "stream_key": key,
        "health": selectors.stream_health(room.slug) if room.is_live else None,
    }


console_section(
    slug="streams",
    title="Streams on air",
    perm=Perm.STREAMS_READ_ANY,
    order=30,
    description="Every room live or reconnecting, with its viewers and the health of its stream.",
    view=streams,
    template="streaming/console/streams.html",
    blurb=_streams_blurb,
)

user_panel(
    key="room",
    title="Room and stream",
    perm=Perm.USERS_READ,
    order=30,
    template="streaming/console/_user_room.html",
    context=room_panel,
)
