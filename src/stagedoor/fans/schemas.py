"""Pydantic in/out schemas of the fans API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field


class ClubIn(Schema):
    # Every field is optional: an unknown key is a mistake to report, not a no-op to answer 200.
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    price: int | None = Field(default=None, ge=0)
    discount_bp: int | None = Field(default=None, ge=0, le=10_000)
    message_price: int | None = Field(default=None, ge=0)
    fan_only_chat: bool | None = None


class ClubOut(Schema):
    id: str
    performer_id: str
    performer_login: str
    enabled: bool
    price: int
    discount_bp: int
    message_price: int
    period_days: int


class MembershipOut(Schema):
    id: str
    club_id: str
    performer_id: str
    status: str
    period_index: int
    current_period_start: datetime
    current_period_end: datetime
    grace_until: datetime | None
    cancel_at_period_end: bool
    in_good_standing: bool


class PostOut(Schema):
    id: str
    caption: str
    kind: str
    content_type: str
    media_url: str
    created_at: datetime


class MessageIn(Schema):
    body: str = ""
    client_key: str = Field(min_length=1, max_length=80)
    thread_id: str | None = None
    to: str | None = None  # a user id: starts (or continues) the thread with them
    media_id: str | None = None
    unlock_price: int = Field(default=0, ge=0)


class FanMessageOut(Schema):
    id: str
    thread_id: str
    sender_id: str
    body: str
    status: str
    price_paid: int
    created_at: datetime
    media_kind: str | None = None
    unlock_price: int = 0
    unlocked: bool = False
    media_url: str | None = None


class ThreadOut(Schema):
    id: str
    fan_id: str
    fan_login: str
    performer_id: str
    performer_login: str
    last_message_at: datetime | None


class MediaOut(Schema):
    id: str
    kind: str
    content_type: str
    size: int


class UnlockOut(Schema):
    message_id: str
    price: int
    media_url: str
