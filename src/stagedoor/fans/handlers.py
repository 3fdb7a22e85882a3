"""Outbox handlers of fans (registered from apps.ready)."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.fans import services
from stagedoor.fans.events import MESSAGE_HELD, MessageHeld
from stagedoor.moderation.events import MODERATION_DECIDED, ModerationDecided


@outbox_handler(MESSAGE_HELD, name="fans.held_message_case")
def open_case_for_held_message(event: OutboxEvent, payload: MessageHeld) -> None:
    services.case_open_for_held_message(message_id=payload["message_id"], reason=payload["reason"])


@outbox_handler(MODERATION_DECIDED, name="fans.held_message_decided")
def deliver_or_reject_held_message(event: OutboxEvent, payload: ModerationDecided) -> None:
    """A decision on a held private message's case: dismissed → delivered (and charged), restrictive → rejected."""
    services.held_message_decided(case_id=payload["case_id"], action=payload["action"])
