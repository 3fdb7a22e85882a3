"""Streaming API: playback grants for players, the performer's stream settings, key and
health, and the staff view of every live stream."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from stagedoor.accounts.auth import optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.sessions import CONSENT_KEY
from stagedoor.core.gates import ADULT_CONTENT, GateContext, gate_refusal
from stagedoor.core.geo import location_for_request
from stagedoor.core.middleware import client_ip
from stagedoor.rooms.services import room_for_performer

from . import schemas, selectors, services
from .errors import PlaybackAgeCheckRequired
from .models import KEY_PREFIX

router = Router(tags=["streaming"])

# ask for a new grant this long before the current one expires
REFRESH_MARGIN_S = 120


def _actor(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


@router.post("/rooms/{slug}/playback", response=schemas.PlaybackOut, auth=None)
def playback(request: HttpRequest, slug: str, response: HttpResponse) -> dict[str, Any]:
    """A signed, short-lived grant to watch the room (or its offline state, without one).

    Open to anonymous viewers who passed the entry consent (`streaming.consent_required`
    otherwise); refused where the performer blocked the viewer's region (`room.region_blocked`).
    """
    now = time.time()
    viewer = optional_user(request)
    refusal = gate_refusal(ADULT_CONTENT, GateContext(user=viewer, request=request))  # the viewer's age check
    if refusal is not None:
        raise PlaybackAgeCheckRequired(refusal.message, extra={"reason": refusal.code, "url": refusal.action_url})
    # anonymous viewers consented in their session; API-token callers have no session
    answer = selectors.access_playback_grant(
        slug=slug,
        viewer=viewer,
        session_key=request.session.session_key or "",
        location=location_for_request(request),
        now=now,
        # the session remembers the consent the interstitial recorded for this terms version
        session_consented=request.session.get(CONSENT_KEY) == settings.STAGEDOOR.terms_version,
    )
    response["Cache-Control"] = "no-store"
    grant = answer.grant
    return {
        "room": answer.room.slug,
        "status": answer.room.status,
        "url": grant.url() if grant else None,
        "expires_at": datetime.fromtimestamp(grant.expires_at, UTC) if grant else None,
        "refresh_in_s": max(5, grant.expires_at - int(now) - REFRESH_MARGIN_S) if grant else None,
        "thumbnail_url": answer.thumbnail_url,
    }


def _settings(request: HttpRequest, user: User) -> dict[str, Any]:
    key = selectors.active_stream_key(user)
    return {
        "server_url": selectors.rtmp_server_url(request.get_host()),
        "has_key": key is not None,
        "key_hint": f"{KEY_PREFIX}{key.prefix}_…" if key else None,
        "key_created_at": key.created_at if key else None,
        "key_last_used_at": key.last_used_at if key else None,
    }


@router.get("/streaming/mine", response=schemas.StreamSettingsOut, auth=requires(Perm.STREAM_MANAGE))
def my_stream(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """What OBS needs: the server URL, and which stream key is active (never the key)."""
    response["Cache-Control"] = "no-store"
    return _settings(request, _actor(request))


@router.post("/streaming/mine/key", response=schemas.StreamKeyOut, auth=requires(Perm.STREAM_MANAGE))
def my_stream_key_rotate(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """Revoke the current stream key and issue a new one, returned this once."""
    user = _actor(request)
    key = services.stream_key_rotate(user=user, actor=user, ip=client_ip(request))
    response["Cache-Control"] = "no-store"
    return {**_settings(request, user), "stream_key": key}


def _health(room_slug: str) -> dict[str, Any] | None:
    health = selectors.stream_health(room_slug)
    return health.as_dict() if health is not None else None


@router.get("/streaming/mine/health", response=schemas.StudioHealthOut, auth=requires(Perm.STREAM_MANAGE))
def my_stream_health(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """Input bitrate, fps, keyframe interval, dropped frames, encoder speed, uptime, warnings."""
    room = room_for_performer(performer=_actor(request))
    response["Cache-Control"] = "no-store"
    return {
        "room": room.slug,
        "status": room.status,
        "observed": selectors.ingest_observed(),
        "health": _health(room.slug),
    }


@router.get("/staff/streams", response=schemas.LiveStreamsOut, auth=requires(Perm.STREAMS_READ_ANY))
def staff_streams(request: HttpRequest) -> dict[str, Any]:
    """Every room on air (live or reconnecting) with its stream health."""
    return {
        "observed": selectors.ingest_observed(),
        "streams": [
            {
                "room": room.slug,
                "performer": room.performer.login,
                "status": room.status,
                "live_since": room.live_since,
                "viewer_count": room.viewer_count,
                "health": _health(room.slug),
            }
            for room in selectors.live_rooms()
        ],
    }
