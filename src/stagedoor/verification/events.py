"""Outbox topics verification publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class PerformerApplied(TypedDict):
    application_id: str


class PerformerApplicationDecided(TypedDict):
    application_id: str
    approved: bool


class VerificationDecided(TypedDict):
    verification_id: str
    user_id: str | None
    purpose: str
    status: str


class RecoveryEvent(TypedDict):
    recovery_id: str
    user_id: str
    step: str  # started | identity_confirmed | identity_refused | completed | cancelled


PERFORMER_APPLIED: Topic[PerformerApplied] = Topic("performer.applied")
PERFORMER_APPLICATION_DECIDED: Topic[PerformerApplicationDecided] = Topic("performer.application_decided")
VERIFICATION_DECIDED: Topic[VerificationDecided] = Topic("verification.decided")
RECOVERY_CHANGED: Topic[RecoveryEvent] = Topic("verification.recovery_changed")
