from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class RoomOut(Schema):
    id: str
    slug: str
    performer_name: str
    title: str
    topic: str
    tags: list[str]
    status: str
    live_since: datetime | None
    viewer_count: int
    thumbnail_url: str | None
    url: str


class MyRoomOut(RoomOut):
    blocked_regions: list[str]


class RoomIn(Schema):
    title: str | None = Field(default=None, max_length=500)
    topic: str | None = Field(default=None, max_length=1000)
    tags: list[str] | None = Field(default=None, max_length=50)


class RegionsIn(Schema):
    regions: list[str] = Field(max_length=1000)


class FollowOut(Schema):
    following: bool
    followers: int
