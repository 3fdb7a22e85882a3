"""Outbox topics community publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class BadgeAwarded(TypedDict):
    user_id: str
    rule: str
    period: str
    scope_id: str


class EventChanged(TypedDict):
    event_id: str
    slug: str
    step: str  # created | cancelled | joined | left


BADGE_AWARDED: Topic[BadgeAwarded] = Topic("community.badge_awarded")
EVENT_CHANGED: Topic[EventChanged] = Topic("community.event_changed")
