"""Web push, sans-Django: VAPID keys (RFC 8292), sending one RFC 8291 (aes128gcm) message through `pywebpush`, and
quiet hours. Pure functions and a small sender; the services decide what to send to whom."""

from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

TTL_SECONDS = 4 * 3600  # a go-live push is stale once the show is likely over
TIMEOUT_SECONDS = 10.0


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class VapidPair:
    private_pem: str
    public_key: str  # base64url of the uncompressed point: the page's applicationServerKey


def vapid_generate() -> VapidPair:
    vapid = Vapid()
    vapid.generate_keys()
    return VapidPair(private_pem=vapid.private_pem().decode(), public_key=vapid_public_key(vapid))


def vapid_public_key(vapid: Vapid) -> str:
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(raw)


def valid_p256_point(text: str) -> bool:
    try:
        raw = b64url_decode(text)
    except (ValueError, TypeError):
        return False
    return len(raw) == 65 and raw[0] == 4


def valid_auth_secret(text: str) -> bool:
    try:
        return len(b64url_decode(text)) == 16
    except (ValueError, TypeError):
        return False


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # 404/410: the subscription expired or was revoked; forget it
    RETRY = "retry"  # 429, 5xx, a network error: try again later
    REJECTED = "rejected"  # another 4xx: our request is wrong for this subscription


class PushSender:
    """Sends pushes with one VAPID key and one HTTP session (keep-alive to each push service)."""

    def __init__(self, *, private_pem: str, subject: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.vapid = Vapid.from_pem(private_pem.encode())
        self.subject = subject
        self.timeout = timeout
        self.session = requests.Session()

    def send(self, *, endpoint: str, keys: dict[str, str], payload: bytes, ttl: int = TTL_SECONDS) -> Outcome:
        info: dict[str, Any] = {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}
        try:
            webpush(
                info,
                data=payload.decode(),
                vapid_private_key=self.vapid,
                vapid_claims={"sub": self.subject},  # aud (the endpoint's origin) and exp are filled in per call
                content_encoding="aes128gcm",
                ttl=ttl,
                timeout=self.timeout,
                headers={"Urgency": "high"},
                requests_session=self.session,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                return Outcome.GONE
            if status is None or status == 429 or status >= 500:
                return Outcome.RETRY
            return Outcome.REJECTED
        except requests.RequestException:
            return Outcome.RETRY
        return Outcome.SENT

    def close(self) -> None:
        self.session.close()


def quiet_until(*, now: datetime, zone: str, start: time | None, end: time | None) -> datetime | None:
    """When quiet hours [start, end) in `zone` are over, if `now` falls inside them; else None.

    The window may wrap midnight (22:00–07:00). Times are wall-clock times in the person's zone, so the end is
    found on the local calendar and converted back (DST is handled by zoneinfo)."""
    if start is None or end is None or start == end:
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    day = local.date()
    if start > end and t >= start:  # before midnight: the window ends tomorrow
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz)
