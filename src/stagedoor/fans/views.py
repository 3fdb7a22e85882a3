"""Pages of fans: the studio card's forms, the room card's join/cancel, the fan feed, the inbox and a thread, and
the media file view (every fan file goes through here: it checks who asks, nothing is a public static path)."""

from __future__ import annotations

import secrets
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.fans import errors, selectors, services
from stagedoor.fans.api import message_out
from stagedoor.fans.services.media import MB
from stagedoor.verification.uploads_http import LimitedUploadHandler, declared_too_large

STUDIO = "/studio"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return -1


@login_required
@require_POST
def studio_club(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    try:
        services.club_configure(
            performer=me,
            price=_int(request.POST.get("price")),
            discount_bp=(lambda pct: None if pct is None else pct * 100)(_int(request.POST.get("discount_pct"))),
            message_price=_int(request.POST.get("message_price")),
        )
        services.club_configure(performer=me, enabled=request.POST.get("enabled") == "1")
        services.fan_only_chat_set(performer=me, on=request.POST.get("fan_only_chat") == "1")
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "Your fan club settings are saved.")
    return HttpResponseRedirect(STUDIO)


@csrf_exempt  # the CSRF check runs in `_studio_post` once the upload limit is in place (the check reads the body)
@login_required
@require_POST
def studio_post(request: HttpRequest) -> HttpResponse:
    limit = services.upload_limit_bytes()
    if declared_too_large(request, files=1, limit=limit):
        # refused on the declared length: the body is never read
        messages.error(request, f"The file is larger than {limit // MB} MB; nothing was posted.")
        return HttpResponseRedirect(STUDIO)
    handler = LimitedUploadHandler(limit, request)
    request.upload_handlers.insert(0, handler)
    return _studio_post(request, handler, limit)


@csrf_protect
def _studio_post(request: HttpRequest, handler: LimitedUploadHandler, limit: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if handler.exceeded or (upload is not None and upload.size is not None and upload.size > limit):
        messages.error(request, f"The file is larger than {limit // MB} MB; nothing was posted.")
        return HttpResponseRedirect(STUDIO)
    if upload is None:
        messages.error(request, "Choose a photo or a clip to post.")
        return HttpResponseRedirect(STUDIO)
    try:
        services.post_create(performer=_me(request), data=upload.read(), caption=request.POST.get("caption", ""))
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "Posted to your fan club.")
    return HttpResponseRedirect(STUDIO)


@login_required
@require_POST
def club_join(request: HttpRequest, performer_id: str) -> HttpResponse:
    back = request.POST.get("next") or "/"
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    me = _me(request)
    try:
        if not role_has(me.role, Perm.FANCLUB_JOIN):
            raise errors.MembersOnly("Your account cannot join fan clubs.")
        if request.POST.get("action") == "cancel":
            services.membership_cancel(user=me, performer_id=performer_id)
            messages.success(request, "Your membership will not renew; your perks last until the period ends.")
        else:
            services.membership_join(user=me, performer_id=performer_id)
            messages.success(request, "Welcome to the fan club!")
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    return HttpResponseRedirect(back)


@login_required
def feed(request: HttpRequest, performer_id: str) -> HttpResponse:
    me = _me(request)
    try:
        club = selectors.club_for_performer_id(performer_id)
        posts = list(selectors.access_post_list(me, club)[:100])
    except ApplicationError as exc:
        return render(
            request, "fans/feed.html", {"refusal": refusal_text(exc), "performer_id": performer_id}, status=exc.status
        )
    return render(request, "fans/feed.html", {"club": club, "posts": posts})


@login_required
def media(request: HttpRequest, media_id: str) -> HttpResponse:
    try:
        item = selectors.access_media(_me(request), media_id)
    except errors.MediaNotFound:
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    response = HttpResponse(services.media_content(item), content_type=item.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    return render(request, "fans/inbox.html", {"threads": list(selectors.threads_of(me)[:200]), "me": me})


@login_required
def thread(request: HttpRequest, thread_id: str) -> HttpResponse:
    me = _me(request)
    try:
        t = selectors.access_thread(me, thread_id)
    except ApplicationError:
        return render(
            request, "web/message.html", {"title": "Not found", "message": "No such conversation."}, status=404
        )
    if request.method == "POST":
        try:
            if "unlock" in request.POST:
                services.message_unlock(user=me, message_id=request.POST["unlock"])
                messages.success(request, "Unlocked.")
            else:
                services.message_send(
                    sender=me,
                    thread_id=t.pk,
                    body=request.POST.get("body", ""),
                    client_key=request.POST.get("client_key") or secrets.token_urlsafe(16),
                )
        except ApplicationError as exc:
            messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(reverse("fans:thread", args=[t.pk]))
    msgs = selectors.thread_messages(t, me)
    unlocked = selectors.unlocked_ids(me, msgs)
    rows = [message_out(m, me, unlocked) for m in msgs]
    other = t.performer if t.fan_id == me.pk else t.fan
    return render(
        request,
        "fans/thread.html",
        {"thread": t, "rows": rows, "me": me, "other": other, "client_key": secrets.token_urlsafe(16)},
    )


@login_required
@require_POST
def message_start(request: HttpRequest, performer_id: str) -> HttpResponse:
    try:
        sent = services.message_send(
            sender=_me(request),
            recipient_id=performer_id,
            body=request.POST.get("body", ""),
            client_key=request.POST.get("client_key") or secrets.token_urlsafe(16),
        )
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
        return HttpResponseRedirect(reverse("fans:inbox"))
    return HttpResponseRedirect(reverse("fans:thread", args=[sent.message.thread_id]))
