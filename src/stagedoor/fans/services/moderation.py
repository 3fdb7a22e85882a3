"""A private message the classifier held becomes a trust & safety case (opened from the outbox, like chat holds)."""

from __future__ import annotations

from typing import Any

from stagedoor.fans.models import Message
from stagedoor.moderation import policies as P
from stagedoor.moderation.models import Case
from stagedoor.moderation.services import case_open


def case_open_for_held_message(*, message_id: str, reason: str) -> Any:
    """Open (or join) the case of a held private message; None if it is gone or no longer held. The evidence carries
    the text (moderators must read it to decide) under `private_message`, not the chat `message` link."""
    message = Message.objects.select_related("thread", "sender").filter(pk=message_id).first()
    if message is None or message.status != Message.Status.HELD:
        return None
    category = reason if reason in P.CATEGORIES else "other"
    case, _ = case_open(
        source=Case.Source.CHAT_HOLD,
        category=category,
        subject=message.sender,
        evidence={
            "private_message": {
                "id": message.pk,
                "thread": message.thread_id,
                "to": str(
                    message.thread.performer_id if message.sender_id == message.thread.fan_id else message.thread.fan_id
                ),
                "text": message.body[:2000],
            },
            "classifier": {"reason": reason[:200]},
        },
        dedupe_key=f"pm:{message.pk}",
    )
    return case
