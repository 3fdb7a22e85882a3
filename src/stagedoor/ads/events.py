"""Outbox topics ads publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class CampaignChanged(TypedDict):
    campaign_id: str
    advertiser_id: str
    status: str
    step: str  # created | updated | activated | paused | ended | creative_added | creative_paused | creative_resumed


class BudgetExhausted(TypedDict):
    campaign_id: str
    scope: str  # total | day
    day: str  # ISO date (UTC) for "day", "" for "total"
    spent_micros: int


CAMPAIGN_CHANGED: Topic[CampaignChanged] = Topic("ads.campaign_changed")
BUDGET_EXHAUSTED: Topic[BudgetExhausted] = Topic("ads.budget_exhausted")
