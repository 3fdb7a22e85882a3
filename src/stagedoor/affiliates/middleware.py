"""Attribution at sign-up, without the sign-up code knowing: when a signed-in response goes out to a browser that
carries a referral cookie, the account is attributed to that click (if it was created after the click, inside the
window — see services.clicks) and the cookie is dropped. It runs once per cookie, on the sign-up's own response in
practice (the sign-up page signs the new account in), and for accounts made through the API on their first
signed-in request."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from stagedoor.affiliates import conf, services
from stagedoor.core.middleware import client_ip

log = logging.getLogger("stagedoor.affiliates")


class ReferralAttributionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        cookie = request.COOKIES.get(conf.COOKIE)
        user = getattr(request, "user", None)
        if cookie and user is not None and user.is_authenticated and response.status_code < 400:
            visit = services.Visit(
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
                accept_language=request.headers.get("Accept-Language", ""),
            )
            try:
                services.referral_attribute(user=user, cookie=cookie, visit=visit)
            except Exception:  # attribution must never break the page it rides on
                log.exception("referral attribution failed")
            response.delete_cookie(conf.COOKIE, samesite="Lax")
        return response
