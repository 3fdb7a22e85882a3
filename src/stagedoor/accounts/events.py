"""Outbox topics accounts publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class AccountCreated(TypedDict):
    user_id: str


class PerformerApplied(TypedDict):
    application_id: str


class PerformerApplicationDecided(TypedDict):
    application_id: str
    approved: bool


ACCOUNT_CREATED: Topic[AccountCreated] = Topic("account.created")
PERFORMER_APPLIED: Topic[PerformerApplied] = Topic("performer.applied")
PERFORMER_APPLICATION_DECIDED: Topic[PerformerApplicationDecided] = Topic("performer.application_decided")
