"""Playback grants: short-lived HMAC tokens an origin checks on every playlist and segment.

A token binds a room, a viewer session (hashed: the session key never appears in a
URL) and an expiry. It travels in the URL *path* — ``/live/<token>/<room>/master.m3u8`` —
so the relative URIs inside playlists (``480p/index.m3u8``, ``g0_12.m4s``) carry it to
every request without the player doing anything.

Pure: the secret and the clock are passed in. The Django layer derives the secret from
``SECRET_KEY``; nginx asks the app (``auth_request``) so both origins run this code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

TOKEN_RE = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"  # noqa: S105 - a pattern
ROOM_RE = r"[A-Za-z0-9_-]{1,64}"
MEDIA_PATH_RE = re.compile(rf"^/live/(?P<token>{TOKEN_RE})/(?P<room>{ROOM_RE})/(?P<file>[A-Za-z0-9_./-]+)$")

# error codes (stable); not secrets
TOKEN_INVALID = "playback.token_invalid"  # noqa: S105
TOKEN_EXPIRED = "playback.token_expired"  # noqa: S105
TOKEN_WRONG_ROOM = "playback.token_wrong_room"  # noqa: S105


class PlaybackDenied(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class PlaybackGrant:
    room: str
    session: str  # hashed viewer session
    expires_at: int  # unix seconds
    token: str

    def url(self, path: str = "master.m3u8", base: str = "") -> str:
        return f"{base}/live/{self.token}/{self.room}/{path}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_session(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


class PlaybackTokens:
    def __init__(self, secret: bytes, *, ttl_s: int = 1800) -> None:
        if len(secret) < 16:
            raise ValueError("playback token secret must be at least 16 bytes")
        self._secret = secret
        self.ttl_s = ttl_s

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._secret, b"stagedoor.playback.v1|" + body, hashlib.sha256).digest()[:18]

    def issue(self, *, room: str, session_key: str, now: float) -> PlaybackGrant:
        if not re.fullmatch(ROOM_RE, room):
            raise ValueError(f"invalid room id {room!r}")
        session = hash_session(session_key)
        expires = int(now) + self.ttl_s
        body = f"{room}|{session}|{expires}".encode()
        token = f"{_b64(body)}.{_b64(self._sign(body))}"
        return PlaybackGrant(room, session, expires, token)

    def verify(self, token: str, *, room: str, now: float) -> PlaybackGrant:
        try:
            body_b64, sig_b64 = token.split(".", 1)
            body, sig = _unb64(body_b64), _unb64(sig_b64)
            token_room, session, expires_text = body.decode().split("|")
            expires = int(expires_text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PlaybackDenied(TOKEN_INVALID, "the playback token is malformed") from exc
        if not hmac.compare_digest(sig, self._sign(body)):
            raise PlaybackDenied(TOKEN_INVALID, "the playback token signature does not match")
        if token_room != room:
            raise PlaybackDenied(TOKEN_WRONG_ROOM, "the playback token is for another room")
        if now >= expires:
            raise PlaybackDenied(TOKEN_EXPIRED, "the playback token has expired; reload the player")
        return PlaybackGrant(room, session, expires, token)

    def verify_path(self, path: str, *, now: float) -> tuple[PlaybackGrant, str]:
        """Check a request path ``/live/<token>/<room>/<file>``; returns the grant and file."""
        match = MEDIA_PATH_RE.match(path.split("?", 1)[0])
        if match is None:
            raise PlaybackDenied(TOKEN_INVALID, "not a media path")
        grant = self.verify(match["token"], room=match["room"], now=now)
        return grant, match["file"]
