"""Outbox handlers of verification (registered from apps.ready): a broadcast opens when a room goes on air and
closes when it goes offline, stamped with the time the status changed (the event's), not the handler's."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.rooms.events import ROOM_STATUS_CHANGED, RoomStatusChanged
from stagedoor.verification.selectors import room_performer_id
from stagedoor.verification.services import broadcast_close, broadcast_open


@outbox_handler(ROOM_STATUS_CHANGED, name="verification.broadcasts")
def broadcasts_follow_room(event: OutboxEvent, payload: RoomStatusChanged) -> None:
    room_id, before, after = payload["room_id"], payload["from"], payload["to"]
    if before == "offline" and after != "offline":
        performer_id = room_performer_id(room_id)
        if performer_id is not None:
            broadcast_open(room_id=room_id, performer_id=performer_id, at=event.created_at)
    elif after == "offline":
        broadcast_close(room_id=room_id, at=event.created_at)
