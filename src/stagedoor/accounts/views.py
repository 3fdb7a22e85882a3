"""The account security page: signed-in sessions (device, place, last seen) and API tokens, each revocable; the
password change that signs every other session out; passkeys."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from stagedoor.accounts import selectors, services
from stagedoor.accounts.models import User
from stagedoor.accounts.sessions import current_session_id, session_logout
from stagedoor.core.errors import ApplicationError, ValidationFailed
from stagedoor.core.middleware import client_ip

SECURITY = "/account/security"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _ended_text(count: int) -> str:
    return f"{count} other session{'s' * (count != 1)} signed out." if count else "No other session was signed in."


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    context = {
        "sessions": list(selectors.user_sessions_of(user)),
        "current_session": current_session_id(request),
        "tokens": selectors.api_tokens_of(user),
        "passkeys": list(selectors.passkeys_of(user)),
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def session_revoke(request: HttpRequest, session_id: str) -> HttpResponse:
    try:
        record = services.user_session_revoke(user=_me(request), session_id=session_id[:40], ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(SECURITY)
    if record.pk == current_session_id(request):
        session_logout(request, reason="revoked")
        return HttpResponseRedirect("/login")
    messages.success(request, f"Signed out {record.device}.")
    return HttpResponseRedirect(SECURITY)


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.user_sessions_end_others(
        user=_me(request), keep_session_id=current_session_id(request), reason="revoked", ip=client_ip(request)
    )
    messages.success(request, _ended_text(ended))
    return HttpResponseRedirect(SECURITY)


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    user = _me(request)
    try:
        ended = services.user_password_change(
            user=user,
            current_password=request.POST.get("current_password", "")[:256],
            new_password=request.POST.get("password", "")[:256],
            keep_session_id=current_session_id(request),
            ip=client_ip(request),
        )
    except ValidationFailed as exc:
        problems = [m for ms in exc.extra.get("fields", {}).values() for m in ms]
        messages.error(request, " ".join(problems) or exc.message)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        update_session_auth_hash(request, user)  # this browser stays signed in
        messages.success(request, "Password changed. " + _ended_text(ended))
    return HttpResponseRedirect(SECURITY)


@login_required
@require_POST
def passkey_delete(request: HttpRequest, passkey_id: str) -> HttpResponse:
    try:
        ended = services.passkey_delete(
            user=_me(request),
            passkey_id=passkey_id[:40],
            ip=client_ip(request),
            keep_session_id=current_session_id(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Passkey removed. " + _ended_text(ended))
    return HttpResponseRedirect(SECURITY)
