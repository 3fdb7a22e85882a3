"""Pydantic in/out schemas of the support API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class TicketIn(Schema):
    model_config = ConfigDict(extra="forbid")

    subject: str = Field(max_length=200)
    body: str = Field(max_length=20_000)
    category: str = "other"
    email: str = Field(default="", max_length=254)  # guests only; signed-in people are answered at their account's
    name: str = Field(default="", max_length=80)
    language: str = Field(default="en", max_length=8)
    channel: str = "web"  # web | studio | wallet
    purchase_id: str = Field(default="", max_length=26)  # billing: one of your purchases
    context: dict[str, str] = Field(default_factory=dict)  # e.g. {"room": "nova"} from the studio


class TicketAttachmentOut(Schema):
    id: str
    filename: str
    content_type: str
    size: int
    status: str
    reason: str


class TicketMessageOut(Schema):
    id: str
    author_kind: str
    author_login: str | None
    internal: bool
    via: str
    body: str
    created_at: datetime
    attachments: list[TicketAttachmentOut]


class SupportTicketOut(Schema):
    id: str
    subject: str
    category: str
    priority: str
    queue: str
    status: str
    channel: str
    language: str
    requester_email: str
    purchase_id: str
    moderation_case_id: str
    during_show: bool
    thread_verified: bool
    created_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_responded_at: datetime | None
    resolved_at: datetime | None
    assignee_login: str | None
    locked_by_login: str | None
    messages: list[TicketMessageOut] = Field(default_factory=list)


class QueueOut(Schema):
    total: int
    page: int
    pages: int
    tickets: list[SupportTicketOut]


class ReplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=20_000)
    internal: bool = False
    force: bool = False  # reply although another agent holds the ticket's lock


class EscalateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    queue: str
    note: str = Field(max_length=2000)


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee_id: str | None = None


class MacroApplyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    force: bool = False


class LockOut(Schema):
    ticket_id: str
    held: bool  # True: you hold the lock now
    locked_by_login: str | None
    locked_until: datetime | None


class SuggestionOut(Schema):
    kind: str  # macro | article
    id: str
    title: str
    score: float


class SuggestionsOut(Schema):
    suggestions: list[SuggestionOut]
    stream_advice: list[dict[str, str]]


class TimelineEntryOut(Schema):
    at: datetime
    source: str
    kind: str
    title: str
    detail: str
    url: str
    severity: str
    data: dict[str, Any]


class TimelineOut(Schema):
    subject_id: str
    entries: list[TimelineEntryOut]
    sources: list[str]
    hidden: list[str]
    failed: list[str]
    next_before: datetime | None


class ArticleOut(Schema):
    slug: str
    title: str
    summary: str
    audience: str
    body: str
    updated_at: datetime


class SatisfactionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class SatisfactionOut(Schema):
    ticket_id: str
    score: int


class StepOut(Schema):
    key: str
    title: str
    done: bool
    url: str


class OnboardingOut(Schema):
    done: int
    total: int
    percent: int
    steps: list[StepOut]


class CsatRowOut(Schema):
    label: str
    answers: int
    average: float
    satisfied_pct: int


class CsatOut(Schema):
    days: int
    per_agent: list[CsatRowOut]
    per_category: list[CsatRowOut]


class InboundOut(Schema):
    id: str
    outcome: str
    reason: str
    ticket_id: str | None
