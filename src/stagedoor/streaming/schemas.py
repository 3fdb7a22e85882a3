"""Request/response shapes of the streaming API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema


class PlaybackOut(Schema):
    room: str
    status: Literal["offline", "live", "reconnecting"]
    url: str | None  # the master playlist under a signed grant; None while offline
    expires_at: datetime | None  # when the grant in `url` stops working; ask again before
    refresh_in_s: int | None  # seconds after which the player should ask for a new grant
    thumbnail_url: str | None


class HealthWarningOut(Schema):
    code: str
    message: str


class StreamHealthOut(Schema):
    room: str
    state: str
    uptime_s: float
    input_bitrate_kbps: float
    fps: float
    keyframe_interval_s: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    audio_codec: str | None
    dropped_frames: int
    encoder_speed: float
    transcoder_restarts: int
    rungs: list[str]
    warnings: list[HealthWarningOut]


class StudioHealthOut(Schema):
    room: str
    status: str  # the room's status as the directory shows it
    observed: bool  # False: no ingest runs in the process that answered (see docs)
    health: StreamHealthOut | None  # None while nothing is publishing


class StreamSettingsOut(Schema):
    server_url: str  # OBS "Server"
    has_key: bool
    key_hint: str | None  # "live_1a2b3c4d5e_…": which key is active, never the key itself
    key_created_at: datetime | None
    key_last_used_at: datetime | None


class StreamKeyOut(StreamSettingsOut):
    stream_key: str  # OBS "Stream Key": shown once, only its hash is kept


class LiveStreamOut(Schema):
    room: str
    performer: str
    status: str
    live_since: datetime | None
    viewer_count: int
    health: StreamHealthOut | None


class LiveStreamsOut(Schema):
    observed: bool
    streams: list[LiveStreamOut]
