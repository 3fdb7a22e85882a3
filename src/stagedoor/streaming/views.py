"""The embedded origin: HLS playlists and segments from the media directory.

Every request carries a playback token in its path (``/live/<token>/<room>/<file>``),
checked before anything is read. ``media_auth`` is the same check for nginx's
``auth_request`` (production origin). ``thumbnail`` is the directory's public thumbnail
route (``/thumbs/<room>.jpg``): no grant, but the room's region blocks apply.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

from stagedoor.core.errors import ApplicationError
from stagedoor.core.geo import location_for_request

from .origin import resolve_media
from .playback import TOKEN_EXPIRED, PlaybackDenied
from .selectors import access_thumbnail, playback_tokens

# Thumbnails change every few seconds. `private`: the answer depends on the viewer's region,
# so a shared cache must not hand one region's answer to another (a CDN that keys on the
# country header may override this in its own config).
THUMBNAIL_CACHE = "private, max-age=5"


def _denied(exc: PlaybackDenied) -> JsonResponse:
    status = 404 if exc.code == "playback.media_not_found" else 403
    response = JsonResponse({"code": exc.code, "message": exc.message, "extra": {}}, status=status)
    response["Cache-Control"] = "no-store"
    if exc.code == TOKEN_EXPIRED:
        response["X-Playback-Error"] = exc.code
    return response


def media_file(request: HttpRequest, token: str, room: str, file: str) -> HttpResponseBase:
    try:
        playback_tokens().verify(token, room=room, now=time.time())
        media = resolve_media(settings.STAGEDOOR.media_dir, room, file)
    except PlaybackDenied as exc:
        return _denied(exc)
    response = FileResponse(open(media.path, "rb"), content_type=media.content_type)  # noqa: SIM115
    response["Cache-Control"] = media.cache_control
    response["Access-Control-Allow-Origin"] = "*"
    return response


def media_auth(request: HttpRequest) -> HttpResponse:
    try:
        playback_tokens().verify_path(request.headers.get("X-Original-URI", ""), now=time.time())
    except PlaybackDenied as exc:
        return _denied(exc)
    return HttpResponse(status=204)


def thumbnail(request: HttpRequest, room: str) -> HttpResponseBase:
    viewer_id = request.user.pk if request.user.is_authenticated else None
    try:
        path = access_thumbnail(slug=room, viewer_id=viewer_id, location=location_for_request(request))
    except ApplicationError as exc:
        refused = JsonResponse(exc.as_dict(), status=exc.status)
        refused["Cache-Control"] = "no-store"
        return refused
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")  # noqa: SIM115
    response["Cache-Control"] = THUMBNAIL_CACHE
    return response
