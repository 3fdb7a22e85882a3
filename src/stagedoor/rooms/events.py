"""Outbox topics rooms publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic

# "from" is a keyword, so the functional form.
RoomStatusChanged = TypedDict("RoomStatusChanged", {"room_id": str, "from": str, "to": str})

ROOM_STATUS_CHANGED: Topic[RoomStatusChanged] = Topic("room.status_changed")
