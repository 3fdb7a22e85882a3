"""Request and response bodies of the payouts API (payout details only ever leave masked)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


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


class DecisionIn(Schema):
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
