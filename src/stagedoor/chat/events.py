"""Outbox topics chat publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class ChatMessageHeld(TypedDict):
    message_id: str
    room: str  # the room's slug
    user_id: str | None
    reason: str  # why the classifier held it: its category ("minor_risk", "scam", …)


#: a message was held for review (never shown); trust & safety opens a case for it
CHAT_MESSAGE_HELD: Topic[ChatMessageHeld] = Topic("chat.message_held")


class ChatMessageBlocked(TypedDict):
    message_id: str
    room: str  # the room's slug
    user_id: str | None
    reason: str  # why the classifier blocked it: its category ("scam", "harassment", …)


#: a message was blocked (stored, never shown, the sender refused); trust & safety records the automated decision
CHAT_MESSAGE_BLOCKED: Topic[ChatMessageBlocked] = Topic("chat.message_blocked")
