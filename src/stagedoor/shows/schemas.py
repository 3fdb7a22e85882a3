"""API schemas for shows. Rates and prices are whole tokens checked by the services (one answer for every
bad value: 422 with the field named)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, WithJsonSchema

Tokens = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})]
OptionalTokens = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]})]
OptionalCount = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]})]


class SettingsOut(Schema):
    private_enabled: bool
    private_rate: int
    group_enabled: bool
    group_rate: int
    group_minimum: int
    spy_enabled: bool
    spy_rate: int
    cam2cam_enabled: bool
    rate_min: int
    rate_max: int


class SettingsIn(Schema):
    """Only the fields sent change."""

    # Every field is optional: an unknown key is a mistake to report, not a no-op to answer 200.
    model_config = ConfigDict(extra="forbid")

    private_enabled: StrictBool | None = None
    private_rate: OptionalTokens = None
    group_enabled: StrictBool | None = None
    group_rate: OptionalTokens = None
    group_minimum: OptionalCount = None
    spy_enabled: StrictBool | None = None
    spy_rate: OptionalTokens = None
    cam2cam_enabled: StrictBool | None = None


class PrivateRequestIn(Schema):
    performer_id: str = Field(max_length=26)


class GroupOpenIn(Schema):
    # Every field is optional: an unknown key is a mistake to report, not a no-op to answer 200.
    model_config = ConfigDict(extra="forbid")

    minimum: OptionalCount = None


class TicketScheduleIn(Schema):
    title: str = Field(max_length=120)
    starts_at: datetime
    price: Tokens


class SeatOut(Schema):
    id: str
    show_id: str
    user_id: str
    role: str
    status: str
    rate: int
    minutes_billed: int
    paid_until: datetime | None
    access_until: datetime | None
    low_funds_warned_at: datetime | None
    left_at: datetime | None
    leave_reason: str
    watermark: str


class ShowOut(Schema):
    id: str
    kind: str
    status: str
    performer_id: str
    room_id: str
    title: str
    rate: int
    spy_rate: int
    minimum: int
    ticket_price: int
    starts_at: datetime | None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    end_reason: str
    viewers: int  # seats held or active (viewers; ticket holders for a ticket show)
    my_seat: SeatOut | None


class StatementLineOut(Schema):
    participant_id: str
    user_id: str
    user_login: str
    role: str
    minute: int | None  # null: a ticket
    starts_at: datetime | None
    ends_at: datetime | None
    amount: int
    transfer_id: str


class ShowStatementOut(Schema):
    show_id: str
    scope: str  # "own" or "all"
    total: int
    lines: list[StatementLineOut]
