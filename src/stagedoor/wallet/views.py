"""Pages: the viewer's wallet (balance, buy tokens, history), a performer's earnings, a tip page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import ApplicationError
from stagedoor.core.ids import new_id
from stagedoor.payments import conf as payments_conf
from stagedoor.payments import selectors as payments_selectors
from stagedoor.payments import services as payments_services
from stagedoor.wallet import selectors
from stagedoor.wallet.api import earnings_csv_response


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Not possible", "message": exc.message}, status=exc.status)


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    user = request.user
    highlighted = None
    purchase_id = request.GET.get("purchase")
    if purchase_id:
        try:
            highlighted = payments_selectors.access_purchase(user, purchase_id)
        except ApplicationError:
            highlighted = None
    context = {
        "balance": selectors.wallet_balance(user),
        "packages": selectors.packages_on_sale(),
        "providers": payments_conf.enabled_providers(),
        "purchases": payments_selectors.purchases_of(user, limit=20),
        "history": selectors.wallet_history(user, limit=50),
        "can_buy": role_has(user.role, Perm.TOKENS_BUY),  # type: ignore[union-attr]
        "buy_key": new_id(),
        "highlighted": highlighted,
        "cancelled": request.GET.get("cancelled") == "1",
    }
    return render(request, "wallet/wallet.html", context)


@login_required
@require_POST
def wallet_buy(request: HttpRequest) -> HttpResponse:
    try:
        buyer = require_perm(request.user, Perm.TOKENS_BUY)  # type: ignore[arg-type]
        purchase = payments_services.purchase_start(
            buyer=buyer,
            package_id=request.POST.get("package_id", "")[:26],
            provider=request.POST.get("provider", "sandbox")[:20],
            idempotency_key=request.POST.get("idempotency_key", "")[:100],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect("/wallet")
    return HttpResponseRedirect(purchase.checkout_url)


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
