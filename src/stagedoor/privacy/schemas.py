"""API schemas of privacy."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class ErasureStepOut(Schema):
    app_label: str
    status: str
    changed: int
    kept: list[dict[str, object]]


class PrivacyRequestOut(Schema):
    id: str
    user_id: str
    kind: str
    source: str
    status: str
    received_at: datetime
    due_at: datetime
    run_after: datetime | None
    completed_at: datetime | None
    outcome: str
    steps: list[ErasureStepOut] = []


class PrivacyStaffRequestIn(Schema):
    user: str = Field(min_length=1, max_length=64, description="The account's login or id")
    kind: Literal["export", "erasure"]
    verification_note: str = Field(min_length=10, max_length=2000)


class LegalHoldIn(Schema):
    user: str = Field(default="", max_length=64, description="An account's login or id (or name a case)")
    target_type: str = Field(default="", max_length=100)
    target_id: str = Field(default="", max_length=64)
    reason: str = Field(min_length=5, max_length=2000)
    expires_at: datetime | None = None


class LegalHoldReleaseIn(Schema):
    reason: str = Field(min_length=5, max_length=2000)


class LegalHoldOut(Schema):
    id: str
    user_id: str | None
    target_type: str
    target_id: str
    reason: str
    placed_at: datetime
    expires_at: datetime | None
    released_at: datetime | None


class RetentionLineOut(Schema):
    name: str
    period: str
    app_label: str
    action: str
    description: str
    days: int
    cutoff: datetime | None
    count: int


class RetentionReportOut(Schema):
    dry_run: bool
    ran_at: datetime
    held_users: int
    exports_purged: int
    lines: list[RetentionLineOut]
