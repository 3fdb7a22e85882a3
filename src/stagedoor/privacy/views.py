"""A person's privacy page (`/account/privacy`): ask for a copy of their data, ask for erasure or cancel it, and
download a finished export once through the e-mailed link."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.core.errors import ApplicationError
from stagedoor.core.middleware import client_ip
from stagedoor.privacy import selectors, services
from stagedoor.privacy.models import RequestKind

PAGE = "/account/privacy"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
def privacy_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "requests": list(selectors.requests_of(user)[:20]),
        "open_export": selectors.open_request_of(user, RequestKind.EXPORT),
        "open_erasure": selectors.open_request_of(user, RequestKind.ERASURE),
        "grace_days": _grace_days(),
    }
    return render(request, "privacy/account.html", context)


def _grace_days() -> int:
    from django.conf import settings

    return int(settings.STAGEDOOR.privacy.erasure_grace_days)


@login_required
@require_POST
def export_ask(request: HttpRequest) -> HttpResponse:
    req = services.export_request(user=_user(request), ip=client_ip(request))
    req.refresh_from_db()
    if req.status == "done":
        messages.success(request, "Your copy is ready: we e-mailed you a link. It works once, signed in.")
    else:
        messages.success(request, "We are putting your copy together and will e-mail you a link.")
    return HttpResponseRedirect(PAGE)


@login_required
@require_POST
def erasure_ask(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != "erase":
        messages.error(request, "Tick the box to confirm that you want your account erased.")
        return HttpResponseRedirect(PAGE)
    req = services.erasure_request(user=_user(request), ip=client_ip(request))
    when = timezone.localtime(req.run_after).strftime("%Y-%m-%d") if req.run_after else "soon"
    messages.success(request, f"Your account will be erased on {when}. You can cancel until then.")
    return HttpResponseRedirect(PAGE)


@login_required
@require_POST
def request_cancel(request: HttpRequest, request_id: str) -> HttpResponse:
    try:
        services.request_cancel(actor=_user(request), request_id=request_id, ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Cancelled: nothing will be erased.")
    return HttpResponseRedirect(PAGE)


@login_required
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = services.export_download(user=_user(request), token=token)
    except ApplicationError as exc:
        return render(request, "privacy/link_invalid.html", {"message": exc.message}, status=exc.status)
    response = HttpResponse(data, content_type="application/zip")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="stagedoor-data-{stamp}.zip"'
    response["Cache-Control"] = "no-store"
    return response
