"""Request and response bodies of the verification API."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class IdentityIn(Schema):
    legal_name: str = Field(max_length=120)
    date_of_birth: str = Field(max_length=10, description="YYYY-MM-DD; 18 or older")
    country: str = Field(max_length=2, description="ISO 3166-1 alpha-2")
    method: str = Field(max_length=10, description="manual, or a configured vendor: veriff, onfido")


class ApplicationIn(IdentityIn):
    stage_name: str = Field(max_length=60)


class MethodIn(Schema):
    method: str = Field(max_length=10)


class VerificationOut(Schema):
    id: str
    purpose: str
    method: str
    status: str
    vendor_url: str = Field(description="the vendor's hosted page, while the check waits for the person")
    vendor_error: str = Field(description="why the vendor could not be reached; retry")
    reason: str
    created_at: datetime
    decided_at: datetime | None


class ApplicationOut(Schema):
    id: str
    user_id: str
    stage_name: str
    status: str
    note: str
    created_at: datetime
    decided_at: datetime | None
    verification: VerificationOut | None
    next_step: str


class StandingOut(Schema):
    state: str = Field(description="verified, due (warned, still allowed), lapsed or unverified")
    verified_at: datetime | None
    deadline: datetime | None
    reason: str


class MyVerificationOut(Schema):
    standing: StandingOut
    current: VerificationOut | None
    next_step: str


class DecisionIn(Schema):
    decision: str = Field(max_length=10, description="approve, reject or more_info")
    reason: str = Field(default="", max_length=2000)
    document_expires_on: date | None = None


class StaffStatusOut(Schema):
    user_id: str
    login: str
    standing: StandingOut
    latest_status: str
    latest_method: str
    latest_purpose: str


class ReverificationIn(Schema):
    reason: str = Field(max_length=500)
    deadline: datetime | None = None
    source: str = Field(default="staff", max_length=12)


class ReverificationOut(Schema):
    id: str
    user_id: str
    source: str
    reason: str
    deadline: datetime


class AgePolicyIn(Schema):
    method: str = Field(max_length=20)
    reason: str = Field(default="", max_length=300)


class AgePolicyOut(Schema):
    region: str
    method: str
    reason: str
    updated_at: datetime


class AgeRequirementOut(Schema):
    region: str
    method: str
    reason: str
    satisfied: bool
    country: str
    subdivision: str


class RecoveryStartIn(Schema):
    login: str = Field(max_length=254)


class RecoveryStartedOut(Schema):
    recovery_id: str
    status: str
    url: str = Field(description="the link that continues the recovery: give it to the account's owner")


class CoPerformerIn(Schema):
    account_login: str = Field(default="", max_length=30, description="another performer of ours, or empty")
    stage_name: str = Field(default="", max_length=60)
    legal_name: str = Field(default="", max_length=120)
    date_of_birth: str = Field(default="", max_length=10)
    country: str = Field(default="", max_length=2)
    release_signed_name: str = Field(default="", max_length=120)
    release_accepted: bool = False
    method: str = Field(default="manual", max_length=10)


class DeclareIn(Schema):
    declared: bool


class CoPerformerOut(Schema):
    id: str
    stage_name: str
    account_id: str | None
    declared: bool
    verified: bool
    verification: VerificationOut | None


class BroadcastOut(Schema):
    id: str
    performer_id: str
    stage_name: str
    started_at: datetime
    ended_at: datetime | None
    declared: list[dict[str, object]]


class WebhookOut(Schema):
    outcome: str
    detail: str
