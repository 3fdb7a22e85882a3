"""Chat API schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class TicketOut(Schema):
    ticket: str
    url: str
    room: str
    role: str
    perms: list[str]
    expires_in: int


class ModerationIn(Schema):
    action: Literal["delete", "purge", "timeout", "ban", "unban", "mode"]
    message_id: str | None = Field(default=None, max_length=26)
    user_id: str | None = Field(default=None, max_length=26)
    seconds: int | None = None
    reason: str = Field(default="", max_length=300)
    slow_seconds: int | None = None
    audience: Literal["everyone", "registered", "followers", "token_holders", "fans"] | None = None
    links: bool | None = None
    emails: bool | None = None
    phones: bool | None = None


class ModerationOut(Schema):
    action: str
    room: str
    target_user_id: str | None
    message_ids: list[str]
    seconds: int | None
    mode: dict[str, object]


class MessageOut(Schema):
    id: str
    seq: int | None
    user_id: str | None
    login: str
    role: str
    text: str
    created_at: datetime


class HostIn(Schema):
    user_id: str = Field(max_length=26)


class WordsIn(Schema):
    words: list[str] = Field(max_length=500)


class WordsOut(Schema):
    words: list[str]


class HeldDecisionIn(Schema):
    decision: Literal["approve", "reject"]
