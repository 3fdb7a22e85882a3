"""Pydantic out schemas of the community API (it takes no bodies: entering is a POST on the entry itself)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class EventOut(Schema):
    id: str
    slug: str
    title: str
    description: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    performers: int
    url: str
    directory_url: str


class PerformerOut(Schema):
    performer_id: str
    login: str
    name: str
    room_slug: str


class ContestOut(Schema):
    id: str
    slug: str
    title: str
    metric: str
    starts_at: datetime
    ends_at: datetime
    state: str  # upcoming | running | ended | cancelled
    event_slug: str | None
    url: str


class EventDetailOut(EventOut):
    entrants: list[PerformerOut]
    contests: list[ContestOut]


class ContestStandingOut(Schema):
    rank: int
    performer_id: str
    login: str
    name: str
    room_slug: str
    score: int


class LeaderboardOut(Schema):
    contest: ContestOut
    unit: str  # tokens | minutes
    as_of: datetime
    standings: list[ContestStandingOut]


class EntryOut(Schema):
    id: str  # the event's or contest's id
    entered: bool


class BadgeOut(Schema):
    rule: str
    label: str
    description: str
    period: str
    awarded_at: datetime


class ProfileOut(Schema):
    login: str
    name: str
    viewer_level: int
    performer_level: int | None
    badges: list[BadgeOut]


class MyLevelOut(ProfileOut):
    tokens_spent: int
    next_level: int | None
    tokens_to_next_level: int
    hours_streamed: int | None
    tokens_earned: int | None
