"""A chat message the classifier held becomes a case, with the message and the few messages around it."""

from __future__ import annotations

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors
from stagedoor.moderation.models import Case
from stagedoor.moderation.services.cases import case_open


def case_open_for_held_message(*, message_id: str, reason: str) -> Case | None:
    """Open (or find) the case of a held message; None if the message is gone or no longer held. The category is
    the classifier's reason when it names one (`minor_risk`, `scam`, …), else `other`."""
    message = ChatMessage.objects.select_related("room", "user").filter(pk=message_id).first()
    if message is None or message.status != ChatMessage.Status.HELD:
        return None
    category = reason if reason in P.CATEGORIES else "other"
    evidence = {
        "message": selectors.message_snapshot(message),
        "context": [selectors.message_snapshot(m) for m in selectors.message_context(message)],
        "classifier": {"reason": reason[:200]},
    }
    case, _ = case_open(
        source=Case.Source.CHAT_HOLD,
        category=category,
        subject=message.user,
        room=message.room,
        message=message,
        evidence=evidence,
        dedupe_key=f"message:{message.pk}",
    )
    return case
