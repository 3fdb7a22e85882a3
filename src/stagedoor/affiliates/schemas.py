"""Request and response shapes of the affiliates API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class LinkIn(Schema):
    code: str = Field(default="", max_length=32)
    landing: str = Field(default="/", max_length=200)
    label: str = Field(default="", max_length=80)


class LinkOut(Schema):
    id: str
    code: str
    url: str
    landing: str
    label: str
    active: bool
    clicks: int


class AffiliateEarningsOut(Schema):
    accrued: int
    maturing: int
    payable: int
    held: int
    voided: int
    ledger_balance: int


class TotalsOut(Schema):
    days: int
    clicks: int
    signups: int
    buyers: int
    earnings: int


class AffiliateOut(Schema):
    id: str
    kind: str
    status: str
    plan: str
    terms: str
    window_days: int
    attribution: str
    postback_url: str
    earnings: AffiliateEarningsOut
    totals: TotalsOut
    links: list[LinkOut]


class PostbackIn(Schema):
    postback_url: str = Field(default="", max_length=500)
    rotate_secret: bool = False


class CommissionOut(Schema):
    id: str
    affiliate_id: str
    referral_id: str
    purchase_id: str
    kind: str
    base_tokens: int
    tokens: int
    status: str
    reason: str
    transfer_id: str
    reversal_id: str
    created_at: datetime
    matures_at: datetime


class NoteIn(Schema):
    note: str = Field(default="", max_length=200)


class CommissionReasonIn(Schema):
    reason: str = Field(max_length=200)


class PlanIn(Schema):
    name: str = Field(max_length=80)
    kind: str = Field(max_length=10)
    share_bp: int = 0
    months: int = 0
    cpa_tokens: int = 0
    window_days: int = 30
    attribution: str = Field(default="last_click", max_length=12)
    for_performers: bool = False


class PlanOut(Schema):
    id: str
    name: str
    kind: str
    share_bp: int
    months: int
    cpa_tokens: int
    window_days: int
    attribution: str
    for_performers: bool
    terms: str


class AffiliateCreateIn(Schema):
    user_id: str = Field(max_length=26)
    plan_id: str = Field(max_length=26)
    postback_url: str = Field(default="", max_length=500)
    code: str = Field(default="", max_length=32)


class AffiliateCreatedOut(Schema):
    id: str
    user_id: str
    plan_id: str
    codes: list[str]


class CallbackOut(Schema):
    outcome: str
    detail: str
