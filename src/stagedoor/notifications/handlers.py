"""Outbox handlers of notifications (registered from apps.ready): a room going on air queues its followers'
notifications (one alert per broadcast); going offline ends the broadcast."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.notifications import services
from stagedoor.rooms.events import ROOM_STATUS_CHANGED, RoomStatusChanged


@outbox_handler(ROOM_STATUS_CHANGED, name="notifications.golive")
def notify_followers(event: OutboxEvent, payload: RoomStatusChanged) -> None:
    room_id, before, after = payload["room_id"], payload["from"], payload["to"]
    if before == "offline" and after != "offline":
        services.alert_open(room_id=room_id, event_id=event.id, at=event.created_at)
    elif after == "offline":
        services.alert_close(room_id=room_id, at=event.created_at)
