"""Outbox handlers of webhooks (registered from apps.ready): what the other apps publish becomes webhook events;
an automatically disabled endpoint's owner gets an e-mail."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.fans.events import MEMBERSHIP_CHANGED, MembershipChanged
from stagedoor.payouts.events import PAYOUT_RUN_CHANGED, PayoutRunEvent
from stagedoor.rooms.events import ROOM_STATUS_CHANGED, RoomStatusChanged
from stagedoor.shows.events import SHOW_CHANGED, ShowChanged
from stagedoor.wallet.events import TIP_SENT, TipSent
from stagedoor.webhooks import events, services
from stagedoor.webhooks.events import ENDPOINT_DISABLED, EndpointDisabled
from stagedoor.webhooks.services import payloads

BOOKED_STATUSES = frozenset({"requested", "scheduled"})  # a private show asked for; a ticket show put on sale


@outbox_handler(ROOM_STATUS_CHANGED, name="webhooks.room_status")
def room_status(event: OutboxEvent, payload: RoomStatusChanged) -> None:
    if payload["to"] == "live" and payload["from"] == "offline":
        kind = events.ROOM_LIVE
    elif payload["to"] == "offline" and payload["from"] != "offline":
        kind = events.ROOM_OFFLINE
    else:
        return  # reconnecting and back: the same broadcast
    found = payloads.room_data(payload["room_id"])
    if found is not None:
        performer_id, data = found
        services.event_emit(type=kind, performer_id=performer_id, data=data, key=f"{event.id}:{kind}")


@outbox_handler(TIP_SENT, name="webhooks.tip")
def tip_sent(event: OutboxEvent, payload: TipSent) -> None:
    services.event_emit(
        type=events.TIP_RECEIVED,
        performer_id=payload["performer_id"],
        data=payloads.tip_data(payload),
        key=f"{event.id}:{events.TIP_RECEIVED}",
    )


@outbox_handler(MEMBERSHIP_CHANGED, name="webhooks.fan")
def membership_changed(event: OutboxEvent, payload: MembershipChanged) -> None:
    if payload["step"] != "joined":
        return
    found = payloads.fan_data(payload["membership_id"])
    if found is not None:
        performer_id, data = found
        services.event_emit(
            type=events.FAN_JOINED, performer_id=performer_id, data=data, key=f"{event.id}:{events.FAN_JOINED}"
        )


@outbox_handler(SHOW_CHANGED, name="webhooks.show")
def show_changed(event: OutboxEvent, payload: ShowChanged) -> None:
    if payload["status"] not in BOOKED_STATUSES:
        return
    found = payloads.show_data(payload["show_id"])
    if found is not None:
        performer_id, data = found
        services.event_emit(
            type=events.SHOW_BOOKED, performer_id=performer_id, data=data, key=f"{event.id}:{events.SHOW_BOOKED}"
        )


@outbox_handler(PAYOUT_RUN_CHANGED, name="webhooks.payouts")
def payout_run_changed(event: OutboxEvent, payload: PayoutRunEvent) -> None:
    if payload["action"] != "sent":
        return
    for item_id, performer_id, data in payloads.payouts_sent(payload["run_id"]):
        services.event_emit(type=events.PAYOUT_SENT, performer_id=performer_id, data=data, key=f"payout:{item_id}")


@outbox_handler(ENDPOINT_DISABLED, name="webhooks.disabled_notice")
def endpoint_disabled(event: OutboxEvent, payload: EndpointDisabled) -> None:
    services.endpoint_disabled_notify(endpoint_id=payload["endpoint_id"])
