"""Request and response bodies of the payouts API (payout details only ever leave masked)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict


class PayoutMethodIn(Schema):
    kind: str = Field(max_length=10, description="sepa, ewallet or crypto")
    holder_name: str = Field(max_length=120, description="the account holder: must match the verified legal name")
    iban: str = Field("", max_length=42, description="sepa")
    bic: str = Field("", max_length=11, description="sepa, optional")
    email: str = Field("", max_length=254, description="ewallet: the account's e-mail")
    address: str = Field("", max_length=90, description="crypto: a Bitcoin address")


class PayoutMethodOut(Schema):
    id: str
    version: int
    kind: str
    masked: str = Field(description='e.g. "DE89 •••• 3000"')
    created_at: datetime
    superseded_at: datetime | None


class BlockerOut(Schema):
    code: str
    message: str


class MyPayoutMethodOut(Schema):
    current: PayoutMethodOut | None
    history: list[PayoutMethodOut]
    blockers: list[BlockerOut]


class ScreeningCaseOut(Schema):
    id: str
    performer_id: str
    performer_login: str
    subject: str
    screened_name: str
    matched_name: str
    ent_num: int
    program: str
    score: int
    status: str
    reason: str
    decided_by: str
    decided_at: datetime | None
    created_at: datetime


class PayoutDecisionIn(Schema):
    decision: str = Field(max_length=10, description="clear (a false positive) or confirm (never pay)")
    reason: str = Field(max_length=2000)


class SanctionsListOut(Schema):
    id: str
    source: str
    sha256: str
    entries: int
    names: int
    loaded_at: datetime
    loaded_by: str


class PayeeStatusOut(Schema):
    user_id: str
    login: str
    method: PayoutMethodOut | None
    blockers: list[BlockerOut]
    cases: list[ScreeningCaseOut]


class PayoutItemOut(Schema):
    id: str = Field(description="also the end-to-end id the bank reports back")
    run_id: str
    performer_id: str
    performer_login: str
    status: str
    matured_tokens: int
    held_tokens: int
    reserve_tokens: int
    amount_tokens: int
    amount_minor: int
    currency: str
    method_kind: str
    method_masked: str
    reasons: list[BlockerOut]
    outcome_reason: str
    reserve_release_at: datetime | None
    period_start: datetime
    period_end: datetime


class PayoutRunOut(Schema):
    id: str
    period_start: datetime
    period_end: datetime
    status: str
    currency: str
    rate_minor: int
    total_tokens: int
    total_minor: int
    reserved_tokens: int
    approvals_needed: int
    approved_by: list[str]
    counts: dict[str, int]
    files: list[dict[str, str | int]]
    created_by: str
    created_at: datetime


class PayoutRunDetailOut(PayoutRunOut):
    items: list[PayoutItemOut]


class PayoutRunIn(Schema):
    model_config = ConfigDict(extra="forbid")  # nothing but the period: a stray field is a mistake, not a run
    period_end: datetime | None = Field(None, description="any instant: the run is for the last period ended by then")


class PayoutReasonIn(Schema):
    reason: str = Field(max_length=2000)


class ReviewIn(Schema):
    release: bool
    reason: str = Field(max_length=2000)


class MarkIn(Schema):
    item_ids: list[str] = Field(max_length=5000)
    outcome: str = Field(max_length=10, description="paid, failed or returned")
    reason: str = Field(max_length=200)


class SettleOut(Schema):
    applied: dict[str, int]
    unchanged: list[dict[str, str]]
