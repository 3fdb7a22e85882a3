"""Outbox handlers of the support desk (registered from apps.ready)."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.moderation.events import MODERATION_DECIDED, ModerationDecided
from stagedoor.support import services


@outbox_handler(MODERATION_DECIDED, name="support.case_decided_note")
def note_case_decision(event: OutboxEvent, payload: ModerationDecided) -> None:
    """A decision on a moderation case a safety ticket opened: an internal note on that ticket."""
    services.case_decision_note(case_id=payload["case_id"], action=payload["action"])
