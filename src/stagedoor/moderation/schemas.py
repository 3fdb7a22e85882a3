"""API schemas for trust & safety."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field


class ReportIn(Schema):
    target_kind: Literal["message", "room", "user"]
    target_id: str = Field(min_length=1, max_length=60)
    reason: str = Field(max_length=32)
    text: str = Field(default="", max_length=2000)


class ReportOut(Schema):
    id: str
    target_kind: str
    target_id: str
    reason: str
    status: str
    outcome: str
    created_at: datetime
    resolved_at: datetime | None


class StatementOut(Schema):
    """The statement of reasons (DSA Art. 17) shown to the affected person."""

    restriction: str
    decision_visibility: str
    decision_provision: str
    decision_account: str
    decision_ground: str
    legal_ground: str
    contractual_ground: str
    explanation: str
    facts: str
    automated_detection: bool
    automated_decision: bool
    territorial_scope: list[str]
    redress: str
    application_date: datetime
    end_date: datetime | None


class AppealOut(Schema):
    id: str
    decision_id: str
    status: str
    outcome: str
    reviewer_note: str
    created_at: datetime
    decided_at: datetime | None


class DecisionAboutMeOut(Schema):
    id: str
    action: str
    action_title: str
    policy_code: str
    policy_title: str
    created_at: datetime
    statement: StatementOut | None
    appeal: AppealOut | None
    appeal_until: datetime
    can_appeal: bool
    reversed: bool


class AppealIn(Schema):
    text: str = Field(min_length=1, max_length=2000)


class CaseOut(Schema):
    id: str
    source: str
    category: str
    severity: str
    status: str
    subject_id: str | None
    room: str | None
    claimed_by: str | None
    hits: int
    created_at: datetime
    due_at: datetime
    sla_seconds_left: int
    breached: bool


class CaseDetailOut(CaseOut):
    evidence: dict[str, Any]


class DecideIn(Schema):
    policy_code: str = Field(max_length=20)
    action: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)
    timeout_seconds: int | None = Field(default=None, ge=60, le=86_400)


class DecisionOut(Schema):
    id: str
    case_id: str
    action: str
    policy_code: str
    automated: bool
    moderator_id: str | None
    subject_id: str | None
    duration_seconds: int | None
    enforcement: dict[str, str]
    created_at: datetime


class BulkDecideIn(Schema):
    case_ids: list[str] = Field(min_length=1, max_length=200)
    policy_code: str = Field(max_length=20)
    action: str = Field(max_length=20)
    note: str = Field(default="", max_length=2000)


class BulkDecideOut(Schema):
    decided: list[DecisionOut]
    refused: dict[str, str]


class AppealDecideIn(Schema):
    outcome: Literal["upheld", "rejected"]
    note: str = Field(default="", max_length=2000)


class TransparencyOut(Schema):
    period: dict[str, str]
    decisions: int
    automated_decisions: int
    by_category: dict[str, int]
    by_source: dict[str, int]
    by_action: dict[str, int]
    median_seconds_to_action: float | None
    reports_filed: int
    appeals: dict[str, int]
    reversals: int
    statements_of_reasons: int


class ChatPolicyIn(Schema):
    """Category -> "allow" | "hold" | "block"; a category left out (or "") follows the platform."""

    actions: dict[str, str] = Field(max_length=32)


class ChatPolicyOut(Schema):
    room: str
    actions: dict[str, str]  # what the room stored
    effective: dict[str, str]  # what applies in the room now, per category (the room's, else the platform's)
