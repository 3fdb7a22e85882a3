"""The sandbox processor's hosted checkout page (the embedded stand-in for a real processor's page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from stagedoor.core.errors import ApplicationError
from stagedoor.payments import conf, selectors, services
from stagedoor.payments.providers.base import currency_exponent, minor_to_decimal_string


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
            services.sandbox_decide(actor=request.user, purchase_id=purchase.pk, decision=decision)  # type: ignore[arg-type]
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
