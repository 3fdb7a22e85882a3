"""Who may send or receive media in a show, and until when (`media_grant`); the open SFU sessions.

Every WHIP/WHEP request and every tick of the runtime's reaper asks `media_grant` again: the grant's end is
the participant's `paid_until` (the end of the last minute paid for), so a viewer who stops paying loses
their media session within a second or two of that minute's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from stagedoor.shows.models import (
    MediaRole,
    MediaSession,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Show,
    ShowKind,
    ShowSettings,
    ShowStatus,
)


# --- errors of the media endpoints (codes stable, like errors.py's) ---------------------------------------
class MediaNotAllowed(PermissionDenied):
    code = "shows.media_not_allowed"
    default_message = "You may not send or receive media in this show (not in it, or your paid time ran out)."


class MediaNotPublishing(Conflict):
    code = "shows.media_not_publishing"
    default_message = "Nobody is broadcasting this feed yet."


class MediaSessionNotFound(NotFound):
    code = "shows.media_session_not_found"
    default_message = "This media session does not exist or has ended."


class MediaUnavailable(ApplicationError):
    status = 503
    code = "shows.media_unavailable"
    default_message = "Live video is not available right now (the media server is not running)."


class MediaBadOffer(Conflict):
    code = "shows.media_bad_sdp"
    default_message = "The media server refused this session description."


@dataclass(frozen=True)
class MediaGrant:
    """What one person may do with one show's media, until `expires_at` (None: while the show is live)."""

    user_id: Any
    show_id: Any
    role: str  # "performer", or the participant's role (viewer, spy, ticket)
    can_publish: bool
    can_subscribe: bool
    expires_at: datetime | None
    watermark: str = ""
    participant_id: Any = None

    def holds(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


def media_grant(*, user: Any, show: Show, now: datetime | None = None) -> MediaGrant | None:
    """The performer of a live show publishes and subscribes (to a viewer's camera); an active participant
    subscribes to the performer until `paid_until` (a ticket holder: while the show is live); a paying viewer
    of a private show (not a spy, not a group viewer) may also publish their camera when the performer allows
    cam-to-cam. Anyone else: None."""
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if show.status != ShowStatus.LIVE:
        return None
    if show.performer_id == user.pk:
        return MediaGrant(user.pk, show.pk, "performer", True, True, None)
    seat = Participant.objects.filter(show=show, user=user, status=ParticipantStatus.ACTIVE).first()
    if seat is None:
        return None
    if seat.role == ParticipantRole.TICKET:
        expires_at = None
    else:
        if seat.paid_until is None or seat.paid_until <= now:
            return None
        expires_at = seat.paid_until
    cam2cam = False
    if seat.role == ParticipantRole.VIEWER and show.kind == ShowKind.PRIVATE:  # cam-to-cam: private shows only
        cam2cam = (
            ShowSettings.objects.filter(performer_id=show.performer_id)
            .values_list("cam2cam_enabled", flat=True)
            .first()
        ) is not False  # the default settings allow it
    return MediaGrant(user.pk, show.pk, seat.role, cam2cam, True, expires_at, seat.watermark, seat.pk)


def open_publisher(*, show: Show, user_id: Any) -> MediaSession | None:
    """`user_id`'s open broadcast into the show (the performer's feed, or a viewer's camera)."""
    return (
        MediaSession.objects.filter(show=show, user_id=user_id, role=MediaRole.PUBLISH, closed_at__isnull=True)
        .exclude(feed__isnull=True)
        .order_by("-created_at")
        .first()
    )


def open_sessions() -> list[MediaSession]:
    return list(MediaSession.objects.filter(closed_at__isnull=True).select_related("show", "room", "user"))


def access_media_session(*, user: Any, session_id: str, include_closed: bool = False) -> MediaSession:
    """The caller's own session (open ones only, unless `include_closed`: hanging up is idempotent)."""
    sessions = MediaSession.objects.filter(pk=session_id, user_id=user.pk)
    session = (sessions if include_closed else sessions.filter(closed_at__isnull=True)).first()
    if session is None:
        raise MediaSessionNotFound()
    return session


def cam_feeds(*, show: Show) -> list[dict[str, Any]]:
    """The viewers' cameras the performer may watch: [{"user": id, "login": login}]."""
    rows = (
        MediaSession.objects.filter(show=show, role=MediaRole.PUBLISH, closed_at__isnull=True)
        .exclude(user_id=show.performer_id)
        .select_related("user")
        .order_by("created_at")
    )
    return [{"user": str(row.user_id), "login": row.user.login} for row in rows]
