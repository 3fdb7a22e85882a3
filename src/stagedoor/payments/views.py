"""Pages: the wallet (balance, buy tokens, purchases, history) and the sandbox processor's hosted checkout page
(the embedded stand-in for a real processor's page)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.currency import currency_exponent, minor_to_decimal_string
from stagedoor.core.errors import ApplicationError
from stagedoor.core.ids import new_id
from stagedoor.payments import conf, selectors, services
from stagedoor.payments.models import Purchase
from stagedoor.wallet import selectors as wallet_selectors


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_checkout(request: HttpRequest, purchase_id: str) -> HttpResponse:
    if not conf.sandbox_enabled():
        return render(
            request, "web/message.html", {"title": "Not available", "message": "The sandbox is off."}, status=404
        )
    try:
        purchase = selectors.sandbox_purchase_of(request.user, purchase_id)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "Not found", "message": exc.message}, status=404)
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        try:
            services.sandbox_decide(
                actor=request.user,  # type: ignore[arg-type]
                purchase_id=purchase.pk,
                decision=decision,
                card_number=request.POST.get("card_number", ""),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)
        if decision in {"approve", "decline"}:
            suffix = "&cancelled=1" if decision == "decline" else ""
            return HttpResponseRedirect(f"/wallet?purchase={purchase.pk}{suffix}")
        messages.success(request, f"The sandbox processor sent a {decision} notification.")
        return HttpResponseRedirect(request.path)
    price = minor_to_decimal_string(purchase.price_minor, currency_exponent(purchase.currency))
    return render(request, "payments/sandbox_checkout.html", {"purchase": purchase, "price": price})


# A pending purchase's status box polls this long; after that it offers the checkout again and stops.
STATUS_POLL_FOR = timedelta(minutes=30)


def _status_context(purchase: Purchase | None) -> dict[str, object]:
    pending = purchase is not None and purchase.status == Purchase.Status.CREATED
    return {
        "highlighted": purchase,
        "polling": pending and purchase is not None and timezone.now() - purchase.created_at < STATUS_POLL_FOR,
    }


@login_required
def wallet_purchase_status(request: HttpRequest, purchase_id: str) -> HttpResponse:
    """The wallet page's purchase status box (htmx polls it every 2 s while the purchase is pending); once the
    purchase is final it also refreshes the balance, the purchase's row and the history out of band, and stops
    polling."""
    try:
        purchase = selectors.access_purchase(request.user, purchase_id)
    except ApplicationError as exc:
        return render(request, "web/message.html", {"title": "Not found", "message": exc.message}, status=404)
    final = purchase.status != Purchase.Status.CREATED
    context = {
        **_status_context(purchase),
        "out_of_band": final,
        "balance": wallet_selectors.wallet_balance(request.user) if final else None,
        "history": wallet_selectors.wallet_history(request.user, limit=50) if final else [],
    }
    return render(request, "payments/_purchase_status.html", context)


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    user = request.user
    highlighted = None
    purchase_id = request.GET.get("purchase")
    if purchase_id:
        try:
            highlighted = selectors.access_purchase(user, purchase_id)
        except ApplicationError:
            highlighted = None
    context = {
        "balance": wallet_selectors.wallet_balance(user),
        "packages": wallet_selectors.packages_on_sale(),
        "providers": conf.enabled_providers(),
        "purchases": selectors.purchases_of(user, limit=20),
        "history": wallet_selectors.wallet_history(user, limit=50),
        "can_buy": role_has(user.role, Perm.TOKENS_BUY),  # type: ignore[union-attr]
        "buy_key": new_id(),
        **_status_context(highlighted),
        "cancelled": request.GET.get("cancelled") == "1",
    }
    return render(request, "payments/wallet.html", context)


@login_required
@require_POST
def wallet_buy(request: HttpRequest) -> HttpResponse:
    try:
        buyer = require_perm(request.user, Perm.TOKENS_BUY)  # type: ignore[arg-type]
        purchase = services.purchase_start(
            buyer=buyer,
            package_id=request.POST.get("package_id", "")[:26],
            provider=request.POST.get("provider", "sandbox")[:20],
            idempotency_key=request.POST.get("idempotency_key", "")[:100],
            http_request=request,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect("/wallet")
    return HttpResponseRedirect(purchase.checkout_url)
