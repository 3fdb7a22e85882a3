"""Pages: a performer's earnings and a tip page. (The wallet page, where tokens are bought, is payments'.)"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import ApplicationError
from stagedoor.wallet import selectors
from stagedoor.wallet.api import earnings_csv_response


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Not possible", "message": exc.message}, status=exc.status)


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    context = {
        "earnings": selectors.earnings_of(performer),
        "daily": selectors.earnings_daily(performer, days=30),
    }
    return render(request, "wallet/earnings.html", context)


@login_required
def earnings_csv(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    return earnings_csv_response(performer, days=90)


def tip_page(request: HttpRequest, login: str) -> HttpResponse:
    """A stand-alone tip page for a performer, until rooms include `wallet/_tip_panel.html` themselves."""
    try:
        performer = selectors.performer_by_login(login)
    except ApplicationError as exc:
        return _refused(request, exc)
    user = request.user
    context = {
        "performer": performer,
        "panel": selectors.tip_panel(performer),
        "balance": selectors.wallet_balance(user) if user.is_authenticated else None,
        "can_tip": user.is_authenticated and role_has(user.role, Perm.TIP_SEND) and user.pk != performer.pk,  # type: ignore[union-attr]
    }
    return render(request, "wallet/tip.html", context)
