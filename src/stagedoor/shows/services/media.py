"""Media sessions on the SFU: a performer or a cam-to-cam viewer publishes (WHIP), a participant subscribes
(WHEP, Janus offers), a performer broadcasts their public room from the browser (WHIP → ladder); the reaper
closes every session whose grant lapsed. Stagedoor, not the browser, holds the Janus session: the browser
only ever sees SDP."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stagedoor.core.errors import PermissionDenied
from stagedoor.core.gates import PUBLISH, GateContext, gate_refusal
from stagedoor.rooms.models import Room
from stagedoor.rooms.services import room_for_performer
from stagedoor.shows.models import MediaRole, MediaSession, Participant, Show
from stagedoor.shows.selectors.media import (
    MediaBadOffer,
    MediaGrant,
    MediaNotAllowed,
    MediaNotPublishing,
    MediaUnavailable,
    media_grant,
    open_publisher,
)
from stagedoor.shows.sfu.client import SESSION_NOT_FOUND, UNREACHABLE, JanusClient, JanusError
from stagedoor.shows.sfu.registry import current_sfu, set_current_sfu

log = logging.getLogger("stagedoor.shows.media")

WATERMARK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no look-alikes (0/O, 1/I/L)
ROOM_BITS = 52  # Janus room ids travel as JSON numbers: stay exact in JavaScript


def sfu() -> JanusClient:
    """The SFU's API: the Janus the runtime started, or the one `STAGEDOOR_SHOWS_JANUS_URL` names."""
    client = current_sfu()
    if client is None:
        config = settings.STAGEDOOR.shows
        if config.janus_url:
            client = JanusClient(config.janus_url, config.janus_api_secret)
            set_current_sfu(client)
    if client is None:
        raise MediaUnavailable()
    return client


def ice_servers() -> list[dict[str, Any]]:
    """The STUN/TURN servers browsers use (RTCPeerConnection's `iceServers`)."""
    config = settings.STAGEDOOR.shows
    servers: list[dict[str, Any]] = []
    if config.stun_url:
        servers.append({"urls": config.stun_url})
    if config.turn_url:
        servers.append(
            {"urls": config.turn_url, "username": config.turn_username, "credential": config.turn_credential}
        )
    return servers


def show_media_room(*, show: Show) -> int:
    """The show's SFU room id, allocated on first use (one UPDATE, so two racing callers agree)."""
    if show.media_room is None:
        Show.objects.filter(pk=show.pk, media_room__isnull=True).update(media_room=secrets.randbits(ROOM_BITS - 1) + 1)
        show.media_room = Show.objects.values_list("media_room", flat=True).get(pk=show.pk)
    assert show.media_room is not None
    return show.media_room


def public_media_room(room: Room) -> int:
    """A public room's SFU room for browser broadcasts: derived from the room's id, stable across restarts."""
    digest = hashlib.sha256(f"stagedoor.public-room|{room.pk}".encode()).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - ROOM_BITS + 1)) + 1


def participant_watermark(*, participant_id: Any) -> str:
    """The participant's leak-tracing code, created on first use."""
    code = "".join(secrets.choice(WATERMARK_ALPHABET) for _ in range(6))
    Participant.objects.filter(pk=participant_id, watermark="").update(watermark=code)
    return str(Participant.objects.values_list("watermark", flat=True).get(pk=participant_id))


def _open_sfu_session(client: JanusClient) -> tuple[int, int]:
    try:
        session = client.create_session()
        return session, client.attach(session)
    except JanusError as exc:
        log.warning("sfu unavailable: %s", exc)
        raise MediaUnavailable() from exc


def _janus_failed(client: JanusClient, session: int, exc: JanusError) -> Exception:
    _destroy_quietly(client, session)
    if exc.code == UNREACHABLE:
        return MediaUnavailable()
    log.info("janus refused: %s", exc)
    return MediaBadOffer(extra={"sfu": exc.reason})


def _destroy_quietly(client: JanusClient, session: int) -> None:
    try:
        client.destroy_session(session)
    except JanusError as exc:
        log.info("could not destroy sfu session %s: %s", session, exc)


def media_publish(*, user: Any, show: Show, offer_sdp: str) -> tuple[MediaSession, str]:
    """WHIP into a show: the performer's camera, or a paying viewer's (cam-to-cam). Returns the SDP answer."""
    grant = media_grant(user=user, show=show)
    if grant is None or not grant.can_publish:
        raise MediaNotAllowed()
    client = sfu()
    room = show_media_room(show=show)
    session, handle = _open_sfu_session(client)
    try:
        client.ensure_room(session, handle, room)
        feed, answer = client.publish(session, handle, room, offer_sdp, display=user.login)
    except JanusError as exc:
        raise _janus_failed(client, session, exc) from exc
    for old in MediaSession.objects.filter(show=show, user=user, role=MediaRole.PUBLISH, closed_at__isnull=True):
        media_close(session=old, reason="replaced")
    row = MediaSession.objects.create(
        user=user,
        show=show,
        role=MediaRole.PUBLISH,
        sfu_room=room,
        sfu_session=session,
        sfu_handle=handle,
        feed=feed,
        expires_at=grant.expires_at,
    )
    if grant.participant_id is not None:
        Participant.objects.filter(pk=grant.participant_id).update(cam_on=True)
    return row, answer


def media_subscribe(*, user: Any, show: Show, feed_user_id: Any = None) -> tuple[MediaSession, str, MediaGrant]:
    """WHEP from a show, server-offer variant: Janus's SDP offer (the browser answers with `media_answer`).
    A participant receives the performer; the performer receives `feed_user_id`'s camera."""
    grant = media_grant(user=user, show=show)
    if grant is None or not grant.can_subscribe:
        raise MediaNotAllowed()
    if grant.role == "performer":
        if feed_user_id is None:
            raise MediaNotPublishing()
        target = feed_user_id
    else:
        target = show.performer_id
    publisher = open_publisher(show=show, user_id=target)
    if publisher is None or publisher.feed is None:
        raise MediaNotPublishing()
    if grant.participant_id is not None and not grant.watermark:
        grant = MediaGrant(
            **{**grant.__dict__, "watermark": participant_watermark(participant_id=grant.participant_id)}
        )
    client = sfu()
    session, handle = _open_sfu_session(client)
    try:
        offer = client.subscribe(session, handle, publisher.sfu_room, publisher.feed)
    except JanusError as exc:
        raise _janus_failed(client, session, exc) from exc
    row = MediaSession.objects.create(
        user=user,
        show=show,
        role=MediaRole.SUBSCRIBE,
        sfu_room=publisher.sfu_room,
        sfu_session=session,
        sfu_handle=handle,
        feed=publisher.feed,
        expires_at=grant.expires_at,
    )
    return row, offer, grant


def media_answer(*, session: MediaSession, answer_sdp: str) -> None:
    """The subscriber's SDP answer (WHEP PATCH): media starts, if the grant still holds."""
    if session.show is not None:
        grant = media_grant(user=session.user, show=session.show)
        if grant is None or not grant.can_subscribe:
            media_close(session=session, reason="lapsed")
            raise MediaNotAllowed()
    client = sfu()
    try:
        client.start(session.sfu_session, session.sfu_handle, session.sfu_room, answer_sdp)
    except JanusError as exc:
        if exc.code == UNREACHABLE:
            raise MediaUnavailable() from exc
        raise MediaBadOffer(extra={"sfu": exc.reason}) from exc


def room_broadcast_start(*, user: Any, offer_sdp: str) -> tuple[MediaSession, str]:
    """WHIP into the performer's public room: the same publish gate as the RTMP ingest; the runtime then
    forwards the feed through ffmpeg into the ingest (so the ladder, HLS and moderation frames follow)."""
    room = room_for_performer(performer=user)
    refusal = gate_refusal(PUBLISH, GateContext(user=user, room=room))
    if refusal is not None:
        raise PermissionDenied(refusal.message, extra={"gate": refusal.code})
    client = sfu()
    sfu_room = public_media_room(room)
    session, handle = _open_sfu_session(client)
    try:
        client.ensure_room(session, handle, sfu_room, publishers=1, fir_freq=2)
        feed, answer = client.publish(session, handle, sfu_room, offer_sdp, display=user.login)
    except JanusError as exc:
        raise _janus_failed(client, session, exc) from exc
    for old in MediaSession.objects.filter(room=room, role=MediaRole.PUBLISH, closed_at__isnull=True):
        media_close(session=old, reason="replaced")
    row = MediaSession.objects.create(
        user=user,
        room=room,
        role=MediaRole.PUBLISH,
        sfu_room=sfu_room,
        sfu_session=session,
        sfu_handle=handle,
        feed=feed,
    )
    return row, answer


def media_close(*, session: MediaSession, reason: str) -> bool:
    """Hang up the session on the SFU and mark it closed (once: False if it already was)."""
    with transaction.atomic():
        closed = MediaSession.objects.filter(pk=session.pk, closed_at__isnull=True).update(
            closed_at=timezone.now(), close_reason=reason[:40]
        )
    if not closed:
        return False
    client = current_sfu()
    if client is not None:
        _destroy_quietly(client, session.sfu_session)
    if session.show_id is not None and session.role == MediaRole.PUBLISH:
        Participant.objects.filter(show_id=session.show_id, user_id=session.user_id).update(cam_on=False)
    log.info("media session %s closed: %s", session.pk, reason)
    return True


def _still_allowed(session: MediaSession, now: datetime) -> tuple[bool, datetime | None]:
    if session.show is not None:
        grant = media_grant(user=session.user, show=session.show, now=now)
        if grant is None:
            return False, None
        allowed = grant.can_publish if session.role == MediaRole.PUBLISH else grant.can_subscribe
        return allowed and grant.holds(now), grant.expires_at
    if session.room is not None:  # a public-room broadcast: the publish gate, like RTMP's
        refused = gate_refusal(PUBLISH, GateContext(user=session.user, room=session.room))
        return refused is None and session.user.is_active, None
    return False, None


def media_sessions_reap(*, sessions: list[MediaSession], now: datetime | None = None) -> list[MediaSession]:
    """Close the sessions whose grant lapsed (paid time over, left the show, show ended, suspended); keep
    `expires_at` in step with the grant (each paid minute extends it). Returns the sessions still open."""
    now = now or timezone.now()
    kept: list[MediaSession] = []
    for session in sessions:
        allowed, expires_at = _still_allowed(session, now)
        if not allowed:
            media_close(session=session, reason="lapsed")
            continue
        if expires_at != session.expires_at:
            MediaSession.objects.filter(pk=session.pk).update(expires_at=expires_at)
            session.expires_at = expires_at
        kept.append(session)
    return kept


def media_sessions_keepalive(*, sessions: list[MediaSession]) -> None:
    """Keep the sessions alive on the SFU; close those it no longer knows (the peer hung up, Janus restarted)."""
    client = current_sfu()
    if client is None:
        return
    for session in sessions:
        try:
            alive = client.keepalive(session.sfu_session)
        except JanusError as exc:
            if exc.code == SESSION_NOT_FOUND:
                alive = False
            else:
                log.warning("sfu keepalive failed: %s", exc)
                return
        if not alive:
            media_close(session=session, reason="sfu_gone")


def media_sessions_close_all(*, reason: str) -> int:
    return sum(media_close(session=s, reason=reason) for s in MediaSession.objects.filter(closed_at__isnull=True))
