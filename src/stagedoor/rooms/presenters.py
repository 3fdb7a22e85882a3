"""How a room is shown (API and pages alike)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from stagedoor.rooms.models import Room
from stagedoor.rooms.selectors import next_show


def _next_show_at(room: Room) -> datetime | None:
    """When an offline room is on next: the directory annotates it (`next_show_at`), else one query."""
    if room.is_live:
        return None
    if hasattr(room, "next_show_at"):
        return cast(datetime | None, room.next_show_at)
    show = next_show(room)
    return show.starts_at if show else None


def room_card(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "slug": room.slug,
        "performer_name": room.performer.shown_name,
        "name": room.performer.shown_name,
        "title": room.title,
        "topic": room.topic,
        "tags": list(room.tags),
        "status": room.status,
        "is_live": room.is_live,
        "live_since": room.live_since,
        "viewer_count": room.viewer_count,
        # the public, region-checked route of the streaming app (no playback grant needed)
        "thumbnail_url": f"/thumbs/{room.slug}.jpg" if room.thumbnail_path and room.is_live else None,
        "url": room.url,
        "blocked_regions": list(room.blocked_regions),
        "next_show_at": _next_show_at(room),  # offline rooms only: "Next show: …"
    }
