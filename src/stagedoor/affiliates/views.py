"""Pages of affiliates: the referral redirect `/ref/<code>` (`/r/` is the room page), the referrer's dashboard
`/affiliates` (clicks, sign-ups, buyers, earnings as charts and tables; links; postback settings and their delivery
log) and its forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.affiliates import conf, selectors, services
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.middleware import client_ip

PAGE = "/affiliates"


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def visit_of(request: HttpRequest) -> services.Visit:
    return services.Visit(
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        accept_language=request.headers.get("Accept-Language", ""),
    )


@require_GET
def referral_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """Count the click and send the visitor on with the referral cookie. An unknown or closed link: the home page,
    no cookie (the visitor still gets somewhere)."""
    try:
        outcome = services.click_record(
            code=code,
            visit=visit_of(request),
            sub_id=request.GET.get("sub", ""),
            visitor=request.user,
            cookie=request.COOKIES.get(conf.COOKIE),
        )
    except ApplicationError:
        response = HttpResponseRedirect("/")
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponseRedirect(outcome.redirect_to)
    response["Cache-Control"] = "no-store"
    if outcome.cookie is not None:
        response.set_cookie(
            conf.COOKIE,
            outcome.cookie,
            max_age=outcome.max_age,
            httponly=True,
            samesite="Lax",
            secure=bool(settings.SESSION_COOKIE_SECURE),
        )
    return response


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    affiliate = selectors.affiliate_of(me)
    if affiliate is None:
        refusal: dict[str, object] = {
            "can_open": role_has(me.role, Perm.ROOM_MANAGE) and selectors.performer_plan() is not None,
            "performer_plan": selectors.performer_plan(),
        }
        return render(request, "affiliates/join.html", refusal)
    raw = request.GET.get("days", "30")
    context: dict[str, object]
    board = selectors.dashboard(affiliate, days=int(raw) if raw.isdigit() else 30)
    context = {
        "affiliate": affiliate,
        "board": board,
        "ranges": selectors.RANGES,
        "earnings": selectors.earnings_of(affiliate),
        "links": list(selectors.links_of(affiliate)),
        "commissions": selectors.commissions_of(affiliate, limit=20),
        "postbacks": selectors.postbacks_of(affiliate, limit=10),
        "site": settings.STAGEDOOR.base_url,
        "chart_data": {
            "labels": board.labels,
            "clicks": board.clicks,
            "signups": board.signups,
            "buyers": board.buyers,
            "earnings": board.earnings,
        },
        "rows": board.rows(),
    }
    return render(request, "affiliates/dashboard.html", context)


def _done(request: HttpRequest, call: Callable[[], object], success: str) -> HttpResponse:
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, success)
    return HttpResponseRedirect(PAGE)


@login_required
@require_POST
def open_account(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    return _done(request, lambda: services.performer_referrals_open(actor=me), "Your referral link is ready.")


@login_required
@require_POST
def link_add(request: HttpRequest) -> HttpResponse:
    me = _me(request)

    def add() -> object:
        affiliate = selectors.access_affiliate(me)
        return services.link_create(
            affiliate=affiliate,
            code=request.POST.get("code", ""),
            landing=request.POST.get("landing", "/") or "/",
            label=request.POST.get("label", ""),
        )

    return _done(request, add, "The link is added.")


@login_required
@require_POST
def postback_settings(request: HttpRequest) -> HttpResponse:
    me = _me(request)

    def save() -> object:
        return services.affiliate_postback_set(
            affiliate=selectors.access_affiliate(me),
            postback_url=request.POST.get("postback_url", ""),
            rotate_secret=request.POST.get("rotate_secret") == "1",
        )

    return _done(request, save, "Postback settings saved.")
