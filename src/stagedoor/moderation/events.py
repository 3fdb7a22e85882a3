"""Outbox topics trust & safety publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class ModerationDecided(TypedDict):
    decision_id: str
    case_id: str
    action: str  # policies.ACTIONS, or "reverse" for an upheld appeal
    policy_code: str
    automated: bool
    subject_id: str | None  # the person the decision is about
    room: str | None  # the room's slug, when the case is about a room or its chat


class ModerationCaseOpened(TypedDict):
    case_id: str
    source: str
    category: str
    severity: str


#: a decision was recorded (and enforced); the affected person has a statement of reasons if it restricts them
MODERATION_DECIDED: Topic[ModerationDecided] = Topic("moderation.decided")
#: a new case entered the review queue (not published when a flag or report joins an open case)
MODERATION_CASE_OPENED: Topic[ModerationCaseOpened] = Topic("moderation.case_opened")
