"""WHIP/WHEP signalling: SDP in, SDP out; Stagedoor talks to the SFU on the browser's behalf.

    POST   /shows/<show>/media/whip          SDP offer → 201 SDP answer + Location   (performer; cam-to-cam viewer)
    POST   /shows/<show>/media/whep[?feed=]  (no body) → 201 Janus's SDP offer + Location  (participants; the
                                             performer with ?feed=<viewer id> for a viewer's camera)
    PATCH  /shows/media/sessions/<id>        SDP answer → 204 (WHEP's server-offer variant: Janus's VideoRoom
                                             always offers to subscribers)
    DELETE /shows/media/sessions/<id>        → 200, the session ends
    GET    /shows/<show>/media/config        JSON: ICE servers, the viewer's watermark, the cameras on
    POST   /studio/media/whip                the performer's public room from the browser → the transcoder ladder

Auth: the signed-in session with the CSRF header (X-CSRFToken), or `Authorization: Bearer <API token>`.
Every call asks `media_grant` again; a WHEP answer carries the grant's end in `X-Media-Expires`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import URLPattern, URLResolver, path, reverse
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie

from stagedoor.accounts.services import api_token_authenticate
from stagedoor.core.errors import ApplicationError, MalformedRequest, NotAuthenticated, NotFound
from stagedoor.shows.models import Show
from stagedoor.shows.selectors.media import access_media_session, cam_feeds, media_grant, open_publisher
from stagedoor.shows.services.media import (
    ice_servers,
    media_answer,
    media_close,
    media_publish,
    media_subscribe,
    participant_watermark,
    room_broadcast_start,
)

SDP = "application/sdp"
MAX_SDP = 64 * 1024

View = Callable[..., HttpResponse]


def _caller(request: HttpRequest) -> Any:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_token_authenticate(header[7:].strip())
        if user is None:
            raise NotAuthenticated()
        return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise NotAuthenticated()
    refused = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, None, (), {})  # type: ignore[arg-type]
    if refused is not None:
        raise NotAuthenticated("The CSRF check failed: send the X-CSRFToken header.")
    return user


def _error(exc: ApplicationError) -> JsonResponse:
    response = JsonResponse(exc.as_dict(), status=exc.status)
    response["Cache-Control"] = "no-store"
    return response


def signalling(view: View) -> View:
    """CSRF checked here (a Bearer token needs none), errors rendered like the API's."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, _caller(request), *args, **kwargs)
        except ApplicationError as exc:
            return _error(exc)
        response["Cache-Control"] = "no-store"
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _sdp_body(request: HttpRequest) -> str:
    if request.content_type != SDP:
        raise MalformedRequest(f"Send the session description as {SDP}.")
    body = request.body
    if not body or len(body) > MAX_SDP:
        raise MalformedRequest("The session description is empty or too large.")
    text = body.decode("utf-8", errors="strict")
    if not text.startswith("v=0"):
        raise MalformedRequest("This is not a session description.")
    return text


def _show(show_id: str) -> Show:
    show = Show.objects.filter(pk=show_id).first()
    if show is None:
        raise NotFound("That show does not exist.")
    return show


def _created(session_id: Any, sdp: str) -> HttpResponse:
    response = HttpResponse(sdp, status=201, content_type=SDP)
    response["Location"] = reverse("shows:media-session", args=[session_id])
    response["Access-Control-Expose-Headers"] = "Location, X-Media-Expires, X-Media-Watermark"
    return response


def _link_ice(response: HttpResponse) -> None:
    links = []
    for server in ice_servers():
        link = f'<{server["urls"]}>; rel="ice-server"'
        if "username" in server:
            link += (
                f'; username="{server["username"]}"; credential="{server["credential"]}"; credential-type="password"'
            )
        links.append(link)
    if links:
        response["Link"] = ", ".join(links)


@signalling
def show_whip(request: HttpRequest, user: Any, show_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    session, answer = media_publish(user=user, show=_show(show_id), offer_sdp=_sdp_body(request))
    response = _created(session.pk, answer)
    _link_ice(response)
    return response


@signalling
def show_whep(request: HttpRequest, user: Any, show_id: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    feed = request.GET.get("feed") or None
    session, offer, grant = media_subscribe(user=user, show=_show(show_id), feed_user_id=feed)
    response = _created(session.pk, offer)
    response["X-Media-Expires"] = grant.expires_at.isoformat() if grant.expires_at else ""
    response["X-Media-Watermark"] = grant.watermark
    _link_ice(response)
    return response


@signalling
def media_session(request: HttpRequest, user: Any, session_id: str) -> HttpResponse:
    # Hanging up a session the SFU runtime already closed (the show ended, the paid time ran out) is not an
    # error: DELETE is idempotent, and a page leaving must not log a failed request.
    session = access_media_session(user=user, session_id=session_id, include_closed=request.method == "DELETE")
    if request.method == "DELETE" and session.closed_at is not None:
        return HttpResponse(status=200)
    if request.method == "PATCH":
        media_answer(session=session, answer_sdp=_sdp_body(request))
        return HttpResponse(status=204)
    if request.method == "DELETE":
        media_close(session=session, reason="hung_up")
        return HttpResponse(status=200)
    return HttpResponse(status=405, headers={"Allow": "PATCH, DELETE"})


@signalling
def show_media_config(request: HttpRequest, user: Any, show_id: str) -> HttpResponse:
    """What the page's player needs: ICE servers, the caller's watermark, the viewers' cameras (performer),
    whether the performer is publishing yet (participants)."""
    show = _show(show_id)
    grant = media_grant(user=user, show=show)
    if grant is None:
        return JsonResponse({"allowed": False, "iceServers": ice_servers()})
    watermark = grant.watermark
    if grant.participant_id is not None and not watermark:
        watermark = participant_watermark(participant_id=grant.participant_id)
    return JsonResponse(
        {
            "allowed": True,
            "role": grant.role,
            "canPublish": grant.can_publish,
            "expiresAt": grant.expires_at.isoformat() if grant.expires_at else None,
            "watermark": watermark,
            "iceServers": ice_servers(),
            "cams": cam_feeds(show=show) if grant.role == "performer" else [],
            # a participant's player waits (polling this) until the performer's camera is on the SFU
            "publishing": open_publisher(show=show, user_id=show.performer_id) is not None,
        }
    )


@signalling
def studio_whip(request: HttpRequest, user: Any) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405, headers={"Allow": "POST"})
    session, answer = room_broadcast_start(user=user, offer_sdp=_sdp_body(request))
    response = _created(session.pk, answer)
    _link_ice(response)
    return response


urlpatterns: list[URLPattern | URLResolver] = [
    path("shows/<str:show_id>/media/whip", show_whip, name="media-whip"),
    path("shows/<str:show_id>/media/whep", show_whep, name="media-whep"),
    path("shows/<str:show_id>/media/config", show_media_config, name="media-config"),
    path("shows/media/sessions/<str:session_id>", media_session, name="media-session"),
    path("studio/media/whip", studio_whip, name="media-studio-whip"),
]


@ensure_csrf_cookie
def show_stage(request: HttpRequest, show_id: str) -> HttpResponse:
    """The show's live-video page (its card, `shows/media/_stage.html`, is also what show pages include)."""
    from django.contrib.auth.views import redirect_to_login
    from django.shortcuts import render

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    show = Show.objects.select_related("performer").filter(pk=show_id).first()
    if show is None:
        raise Http404("That show does not exist.")
    return render(request, "shows/media/stage.html", {"show": show})


urlpatterns.append(path("shows/<str:show_id>/media/", show_stage, name="media-stage"))
