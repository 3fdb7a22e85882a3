"""Outbox handlers of moderation (registered from apps.ready): a held chat message becomes a case; a blocked one
becomes a case with the automated decision that removed it."""

from __future__ import annotations

from stagedoor.chat.events import CHAT_MESSAGE_BLOCKED, CHAT_MESSAGE_HELD, ChatMessageBlocked, ChatMessageHeld
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.moderation import services


@outbox_handler(CHAT_MESSAGE_HELD, name="moderation.case_for_held_message")
def case_for_held_message(event: OutboxEvent, payload: ChatMessageHeld) -> None:
    """Idempotent: a retried batch or a replayed event finds the open case of the same message."""
    services.case_open_for_held_message(message_id=payload["message_id"], reason=payload["reason"])


@outbox_handler(CHAT_MESSAGE_BLOCKED, name="moderation.case_for_blocked_message")
def case_for_blocked_message(event: OutboxEvent, payload: ChatMessageBlocked) -> None:
    """Idempotent: a retried batch or a replayed event finds the case (and its decision) already recorded."""
    services.case_open_for_blocked_message(message_id=payload["message_id"], reason=payload["reason"])
