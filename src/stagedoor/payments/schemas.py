"""API schemas for payments."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class PurchaseIn(Schema):
    package_id: str = Field(max_length=26)
    provider: str = Field(default="sandbox", max_length=20)
    idempotency_key: str | None = Field(default=None, max_length=100)


class PurchaseOut(Schema):
    id: str
    status: str
    provider: str
    tokens: int
    price_minor: int
    currency: str
    checkout_url: str
    created_at: datetime
    completed_at: datetime | None


class ProvidersOut(Schema):
    providers: list[str]


class PaymentReasonIn(Schema):
    reason: str = Field(max_length=200)


class PostbackOut(Schema):
    id: str
    provider: str
    received_at: datetime
    event_id: str
    event: str
    purchase_id: str | None
    signature_valid: bool
    outcome: str
    detail: str
    remote_ip: str
