"""rooms' part of data-subject requests (core.privacy_registry).

Erasure: the person's follows and scheduled shows go; a performer's room stays as a closed, renamed shell (its id
is what shows, tips and ledger records point at) with its title, topic and tags emptied.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.rooms.models import Follow, Room, ScheduledShow


def export_rooms(user: Any) -> ExportData:
    return {
        "room": rows(
            Room.objects.filter(performer=user), ["id", "slug", "title", "topic", "tags", "status", "created_at"]
        ),
        "follows": rows(Follow.objects.filter(user=user).order_by("created_at"), ["room_id", "created_at"]),
        "scheduled_shows": rows(
            ScheduledShow.objects.filter(room__performer=user),
            [f.attname for f in ScheduledShow._meta.concrete_fields],
        ),
    }


def erase_rooms(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.changed += Follow.objects.filter(user=ctx.user).delete()[0]
    result.changed += ScheduledShow.objects.filter(room__performer=ctx.user).delete()[0]
    rooms = Room.objects.filter(performer=ctx.user).exclude(title="", topic="", tags=[])
    result.changed += rooms.update(title="", topic="", tags=[], blocked_regions=[])
    return result


register_exporter("rooms", export_rooms)
register_eraser("rooms", erase_rooms)
