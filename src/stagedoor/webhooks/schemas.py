"""Pydantic in/out schemas of the webhooks API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    event_types: list[str] = Field(max_length=20)
    description: str = Field(default="", max_length=200)


class EndpointPatch(Schema):
    # every field optional; an unknown key is a mistake to report, not a no-op to answer 200
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = Field(default=None, max_length=20)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = None


class EndpointOut(Schema):
    id: str
    scope: str
    url: str
    description: str
    event_types: list[str]
    status: str
    disabled_reason: str
    disabled_at: datetime | None
    consecutive_failures: int
    failing_since: datetime | None
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str  # shown this once


class SecretOut(Schema):
    id: str
    secret: str  # shown this once
    previous_valid_until: datetime | None


class DeliveryOut(Schema):
    id: str
    event_id: str
    event_type: str
    endpoint_id: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime


class AttemptOut(Schema):
    number: int
    manual: bool
    started_at: datetime
    latency_ms: int
    outcome: str
    status_code: int | None
    response_body: str
    error: str


class DeliveryDetail(DeliveryOut):
    body: str  # exactly what is sent
    attempt_log: list[AttemptOut]


class EventTypeOut(Schema):
    type: str
    description: str
