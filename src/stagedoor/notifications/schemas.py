"""Pydantic in/out schemas of the notifications API."""

from __future__ import annotations

from datetime import datetime, time

from ninja import Schema
from pydantic import ConfigDict, Field


class VapidKeyOut(Schema):
    public_key: str  # base64url, the `applicationServerKey` for pushManager.subscribe


class PreferenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    push_enabled: bool
    email_enabled: bool
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = Field(min_length=1, max_length=64)


class PreferenceOut(Schema):
    push_enabled: bool
    email_enabled: bool
    quiet_start: time | None
    quiet_end: time | None
    timezone: str
    devices: int


class SubscriptionKeys(Schema):
    model_config = ConfigDict(extra="ignore")

    p256dh: str = Field(min_length=1, max_length=200)
    auth: str = Field(min_length=1, max_length=100)


class SubscriptionIn(Schema):
    """`PushSubscription.toJSON()` as the browser gives it (`expirationTime` is accepted and ignored)."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str = Field(min_length=1, max_length=1000)
    keys: SubscriptionKeys


class UnsubscribeIn(Schema):
    endpoint: str = Field(min_length=1, max_length=1000)


class DeviceOut(Schema):
    id: str
    user_agent: str
    created_at: datetime
    last_success_at: datetime | None


class UnsubscribeOut(Schema):
    removed: bool


class ScheduleEntryOut(Schema):
    starts_at: datetime
    duration_minutes: int
    title: str
    room_slug: str
    room_url: str
    performer_name: str
    following: bool
    live_now: bool
