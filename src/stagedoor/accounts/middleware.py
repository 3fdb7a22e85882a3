"""Page-level gates: the entry interstitial (age + terms) and mandatory two-factor set-up."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from stagedoor.accounts.selectors import has_current_consent
from stagedoor.accounts.sessions import CONSENT_KEY

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
)
MFA_SETUP_PATH = "/account/2fa/setup"
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
    """Performers and staff must turn on two-factor before they use any page."""

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
        return self.get_response(request)
