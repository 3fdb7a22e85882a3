"""The event types subscribers may choose (the `type` of the envelope) and the outbox topic webhooks publishes."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic

ROOM_LIVE = "room.live"
ROOM_OFFLINE = "room.offline"
TIP_RECEIVED = "tip.received"
FAN_JOINED = "fan.joined"
SHOW_BOOKED = "show.booked"
PAYOUT_SENT = "payout.sent"
PING = "webhook.test"  # sent to one endpoint when its owner asks; never subscribed to

#: type → what it means, in the order pages list them
EVENT_TYPES: dict[str, str] = {
    ROOM_LIVE: "The room went live",
    ROOM_OFFLINE: "The room went offline",
    TIP_RECEIVED: "A tip was received",
    FAN_JOINED: "Someone joined the fan club",
    SHOW_BOOKED: "A private show was requested or a ticket show scheduled",
    PAYOUT_SENT: "A payout was sent",
}


class EndpointDisabled(TypedDict):
    endpoint_id: str
    owner_id: str | None
    reason: str  # failing | owner
    failures: int


ENDPOINT_DISABLED: Topic[EndpointDisabled] = Topic("webhooks.endpoint_disabled")
