"""Outbox topics affiliates publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class ReferralCreated(TypedDict):
    referral_id: str
    affiliate_id: str
    user_id: str
    hold: str


class CommissionChanged(TypedDict):
    commission_id: str
    affiliate_id: str
    status: str  # accrued | held | voided
    step: str  # created | released | voided | held


REFERRAL_CREATED: Topic[ReferralCreated] = Topic("affiliates.referral_created")
COMMISSION_CHANGED: Topic[CommissionChanged] = Topic("affiliates.commission_changed")
