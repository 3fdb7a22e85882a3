"""Page-level gates: the entry interstitial (age + terms) and mandatory two-factor set-up."""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from stagedoor.accounts import ratelimit
from stagedoor.accounts.selectors import has_current_consent, user_has_passkey, user_session_open
from stagedoor.accounts.services import user_session_touch
from stagedoor.accounts.services.user_sessions import TOUCH_EVERY
from stagedoor.accounts.sessions import CONSENT_KEY, SESSION_RECORD_KEY, record_session, session_logout
from stagedoor.core.errors import RateLimited
from stagedoor.core.middleware import client_ip

# Paths that never show the interstitial: machines, assets, the API (it has its own checks).
# /live/ and /_media_auth are the media origin: a playback grant already requires consent.
OPEN_PREFIXES = (
    "/api/",
    "/static/",
    "/media/",
    "/live/",
    "/_media_auth",
    "/healthz",
    "/readyz",
    "/metrics",
    "/enter",
    "/admin/",
    "/legal/",
    "/favicon",
    "/notifications/sw.js",  # the push service worker: a script the browser re-fetches on its own
    "/ref/",  # a referral link only counts the click and redirects; the page it lands on is gated
)
MFA_SETUP_PATH = "/account/2fa/setup"
SECURITY_PATH = "/account/security"
PASSKEY_OPEN_PREFIXES = (*(p for p in OPEN_PREFIXES if p != "/admin/"), SECURITY_PATH, "/logout", MFA_SETUP_PATH)
MFA_OPEN_PREFIXES = (*(p for p in OPEN_PREFIXES if p != "/admin/"), MFA_SETUP_PATH, "/logout")


class EntryConsentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.path.startswith(OPEN_PREFIXES):
            version = settings.STAGEDOOR.terms_version
            if request.session.get(CONSENT_KEY) != version:
                user = request.user if request.user.is_authenticated else None
                if has_current_consent(user=user, session_key=request.session.session_key, terms_version=version):
                    request.session[CONSENT_KEY] = version
                else:
                    return HttpResponseRedirect("/enter?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)


class MfaEnforcementMiddleware:
    """Performers and staff must turn on two-factor before they use any page; roles the operator requires passkeys
    of (`STAGEDOOR_PASSKEY_REQUIRED_ROLES`) must add one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "mfa_required", False)
            and not getattr(user, "mfa_enabled", True)
            and not request.path.startswith(MFA_OPEN_PREFIXES)
        ):
            return HttpResponseRedirect(MFA_SETUP_PATH)
        if (
            user.is_authenticated
            and getattr(user, "passkey_required", False)
            and not request.path.startswith(PASSKEY_OPEN_PREFIXES)
            and not user_has_passkey(user)
        ):
            return HttpResponseRedirect(SECURITY_PATH)  # the operator requires this role to add a passkey
        return self.get_response(request)


class SessionRecordMiddleware:
    """Keeps each signed-in browser session tied to its record (see `UserSession`).

    A session whose record was revoked — from another device, or by a password change or a two-factor reset — is
    signed out on its next request, on whichever node serves it. A session without a record (signed in before
    records existed, or by a test's `force_login`) gets one at its next GET, without a new-device notice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            record_id = request.session.get(SESSION_RECORD_KEY)
            if not record_id:
                if request.method in ("GET", "HEAD"):  # recorded by a read, so a refused write changes nothing
                    record_session(request, user, method="resumed")
            else:
                record = user_session_open(session_id=str(record_id), user_id=str(user.pk))
                if record is None:
                    session_logout(request, reason="revoked")
                elif timezone.now() - record.last_seen_at > TOUCH_EVERY:
                    user_session_touch(session_id=record.pk)
        return self.get_response(request)


class RateLimitMiddleware:
    """Refuses a request over its route's limit (see `ratelimit`) with 429, `Retry-After` and `rate_limited`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rule = ratelimit.rule_for(request.method or "", request.path)
        if rule is None:
            return self.get_response(request)
        user = getattr(request, "user", None)
        header = request.headers.get("Authorization", "")
        who = ratelimit.caller_key(
            user_id=str(user.pk) if user is not None and user.is_authenticated else None,
            bearer=header[7:].strip() if header.lower().startswith("bearer ") else "",
            ip=client_ip(request),
        )
        decision = ratelimit.limiter().hit(f"{rule.name}:{who}", limit=rule.limit, window_s=rule.window_s)
        if decision.allowed:
            return self.get_response(request)
        ratelimit.RATE_LIMITED.labels(rule.name).inc()
        minutes = math.ceil(decision.retry_after / 60)
        wait = f"{decision.retry_after} seconds" if decision.retry_after < 120 else f"{minutes} minutes"
        message = f"Too many requests; try again in {wait}."
        response: HttpResponse
        if request.path.startswith("/api/"):
            body = {
                "code": RateLimited.code,
                "message": message,
                "extra": {"retry_after": decision.retry_after, "limit": rule.name},
            }
            response = JsonResponse(body, status=429)
        else:
            response = render(request, "web/message.html", {"title": "Slow down", "message": message}, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
