"""Outbox topics payouts publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class PayoutMethodChanged(TypedDict):
    performer_id: str
    method_id: str
    version: int
    kind: str
    masked: str  # never the details themselves


class SanctionsListLoaded(TypedDict):
    list_id: str
    entries: int
    names: int


class ScreeningCaseEvent(TypedDict):
    case_id: str
    performer_id: str
    status: str  # open | cleared | confirmed
    score: int


class PayoutRunEvent(TypedDict):
    run_id: str
    status: str
    action: str  # created | approved | sent | cancelled | item_released | item_kept | settled | reconciled
    total_minor: int


PAYOUT_RUN_CHANGED: Topic[PayoutRunEvent] = Topic("payouts.run_changed")
PAYOUT_METHOD_CHANGED: Topic[PayoutMethodChanged] = Topic("payouts.method_changed")
SANCTIONS_LIST_LOADED: Topic[SanctionsListLoaded] = Topic("payouts.sanctions_list_loaded")
SCREENING_CASE_CHANGED: Topic[ScreeningCaseEvent] = Topic("payouts.screening_case_changed")
