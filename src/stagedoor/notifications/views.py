"""Pages of notifications: the schedule of upcoming shows, the account card's preferences form, and the service
worker that shows pushes (served from here so that its scope can be the whole site)."""

from __future__ import annotations

from datetime import time
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from stagedoor.accounts.models import User
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.geo import location_for_request
from stagedoor.notifications import errors, selectors, services

ACCOUNT = "/account#notifications"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _time(value: str | None) -> time | None:
    """An <input type=time> value ("22:00"); anything else raises InvalidQuietHours."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise errors.InvalidQuietHours() from None


@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    following = request.GET.get("following") == "1" and user is not None
    entries = selectors.schedule(
        location=location_for_request(request), user_id=user.pk if user else None, following_only=following
    )
    return render(request, "notifications/schedule.html", {"entries": entries, "following": following})


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    try:
        start, end = _time(request.POST.get("quiet_start")), _time(request.POST.get("quiet_end"))
        services.preference_set(
            user=_me(request),
            push_enabled=request.POST.get("push_enabled") == "1",
            email_enabled=request.POST.get("email_enabled") == "1",
            quiet_start=start,
            quiet_end=end,
            timezone=request.POST.get("timezone", ""),
        )
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "Your notification settings are saved.")
    return HttpResponseRedirect(ACCOUNT)


@login_required
@require_POST
def device_remove(request: HttpRequest, device_id: str) -> HttpResponse:
    try:
        services.device_remove(user=_me(request), device_id=device_id)
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, "That device will get no more notifications.")
    return HttpResponseRedirect(ACCOUNT)


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        render_to_string("notifications/sw.js"), content_type="application/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    return response
