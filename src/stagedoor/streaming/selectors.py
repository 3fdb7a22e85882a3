"""Reads of the streaming app: stream keys, playback grants, thumbnails, stream health."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.accounts.selectors import has_current_consent
from stagedoor.core.geo import Location
from stagedoor.rooms.models import Room
from stagedoor.rooms.selectors import access_room_for_viewer

from .errors import PlaybackConsentRequired, ThumbnailNotAvailable
from .health import StreamHealth
from .local_ingest import current_ingest
from .models import KEY_PREFIX, StreamKey, stream_key_hash
from .playback import PlaybackGrant, PlaybackTokens
from .transcoder.command import THUMBNAIL

BROWSER_KEY_PREFIX = "browser_"


def _browser_key_mac(user_id: str, expires: int) -> str:
    secret = hashlib.sha256(b"stagedoor.browser-publish|" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, f"{user_id}|{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def browser_publish_key(user: User, *, now: float, ttl_s: int = 600) -> str:
    """A short-lived, never stored stream key for the performer's own browser broadcast (shows' WHIP → ffmpeg →
    this ingest), so that going live from the browser does not replace the key their encoder uses."""
    expires = int(now) + ttl_s
    return f"{BROWSER_KEY_PREFIX}{user.pk}_{expires}_{_browser_key_mac(str(user.pk), expires)}"


def _browser_key_owner(plaintext: str) -> User | None:
    parts = plaintext[len(BROWSER_KEY_PREFIX) :].rsplit("_", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    user_id, expires, mac = parts[0], int(parts[1]), parts[2]
    if expires < time.time() or not hmac.compare_digest(mac, _browser_key_mac(user_id, expires)):
        return None
    user = User.objects.filter(pk=user_id).first()
    return user if user is not None and user.role == Role.PERFORMER else None


def stream_key_owner(plaintext: str) -> User | None:
    """The performer owning this key, or None (unknown, revoked, or not a performer). The owner may be an
    inactive (e.g. suspended) account: the caller refuses it, saying why."""
    if plaintext.startswith(BROWSER_KEY_PREFIX):
        return _browser_key_owner(plaintext)
    if not plaintext.startswith(KEY_PREFIX) or plaintext.count("_") < 2:
        return None
    prefix = plaintext[len(KEY_PREFIX) :].split("_", 1)[0]
    key = StreamKey.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, stream_key_hash(plaintext)):
        return None
    if key.user.role != Role.PERFORMER:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        StreamKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user


def room_id_for(user: User) -> str:
    """Media directory / playback id of a performer's room (their login until `rooms` owns it)."""
    return user.login


# --- playback ---------------------------------------------------------------------------


def playback_tokens() -> PlaybackTokens:
    """The PlaybackTokens of this deployment (secret derived from SECRET_KEY)."""
    secret = hashlib.sha256(b"stagedoor.playback|" + settings.SECRET_KEY.encode()).digest()
    return PlaybackTokens(secret, ttl_s=int(getattr(settings, "STAGEDOOR_PLAYBACK_TTL_S", 1800)))


@dataclass(frozen=True, slots=True)
class PlaybackAnswer:
    """What a player needs: the room's state and, when it is on air, a grant to watch it."""

    room: Room
    grant: PlaybackGrant | None

    @property
    def thumbnail_url(self) -> str | None:
        return thumbnail_url(self.room)


def thumbnail_url(room: Room) -> str | None:
    """The public (region-checked, consent-gated) thumbnail route; None when off air."""
    return f"/thumbs/{room.slug}.jpg" if room.is_live and room.thumbnail_path else None


def access_playback_grant(
    *,
    slug: str,
    viewer: User | None,
    session_key: str,
    location: Location,
    now: float,
    session_consented: bool = False,
) -> PlaybackAnswer:
    """Fetch-and-authorize: a grant for this viewer to watch this room, or an error.

    No grant without the entry consent (``streaming.consent_required``); none for a region
    the performer blocked (``room.region_blocked``: rooms decides, the same check that hides
    the room from the directory). An offline room answers without a grant, so a player can
    poll this one endpoint to learn when the room comes on air.
    """
    version = settings.STAGEDOOR.terms_version
    if not session_consented and not has_current_consent(user=viewer, session_key=session_key, terms_version=version):
        raise PlaybackConsentRequired()
    room = access_room_for_viewer(slug, location=location, viewer_id=viewer.pk if viewer else None)
    if not room.is_live:
        return PlaybackAnswer(room, None)
    # the token binds the viewer's session (hashed), or the account when there is none
    binding = session_key or f"user:{viewer.pk if viewer else ''}"
    return PlaybackAnswer(room, playback_tokens().issue(room=room.slug, session_key=binding, now=now))


def access_thumbnail(*, slug: str, viewer_id: str | None, location: Location) -> Path:
    """The live room's current thumbnail file, region-checked like the room itself."""
    room = access_room_for_viewer(slug, location=location, viewer_id=viewer_id)
    path = Path(settings.STAGEDOOR.media_dir) / room.slug / THUMBNAIL
    if not room.is_live or not path.is_file():
        raise ThumbnailNotAvailable()
    return path


# --- studio and staff -------------------------------------------------------------------------


def active_stream_key(user: User) -> StreamKey | None:
    return StreamKey.objects.filter(user=user, revoked_at__isnull=True).first()


def rtmp_server_url(request_host: str) -> str:
    """What a performer types into OBS as "Server": ``rtmp://<host>:<port>/live``.

    ``STAGEDOOR_RTMP_PUBLIC_URL`` overrides it (an ingest behind a load balancer or on
    another host); otherwise the host the page was served from and the ingest's port.
    """
    streaming = settings.STAGEDOOR.streaming
    if streaming.rtmp_public_url:
        return streaming.rtmp_public_url
    host = request_host.rsplit(":", 1)[0] if not request_host.endswith("]") else request_host
    return f"rtmp://{host or 'localhost'}:{streaming.rtmp_port}/live"


def stream_health(room_slug: str) -> StreamHealth | None:
    """Live health of a room's stream: from the ingest in this process when there is one, else
    what an ingest elsewhere shared through Redis (see ``health_store``). None when not live."""
    from . import health_store

    ingest = current_ingest()
    if ingest is not None:
        stream = ingest.stream(room_slug)
        if stream is not None and not stream.closed:
            return stream.health()
        if not health_store.shared():
            return None
    return health_store.read(room_slug)


def ingest_observed() -> bool:
    """Whether health numbers can be read here: an ingest runs in this process, or ingests share
    their health through Redis."""
    from . import health_store

    return current_ingest() is not None or health_store.shared()


def live_rooms() -> list[Room]:
    return list(Room.objects.select_related("performer").exclude(status=Room.Status.OFFLINE).order_by("slug"))
