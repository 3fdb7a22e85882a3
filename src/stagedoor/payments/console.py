"""Staff console sections of payments: refunds (purchases and tips) and the postback log; the purchases
panel of a person.

Refunds are naturally idempotent: a purchase or a tip is refunded at most once (the wallet keys the refund
by the purchase / tip), so a double submit answers "already refunded" and moves no money twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm, user_by_login_or_id
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.middleware import client_ip
from stagedoor.payments import selectors, services
from stagedoor.payments.models import Postback, Purchase
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet_services

POSTBACK_PAGE = 50


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


# --- refunds -----------------------------------------------------------------------------


class RefundForm(forms.Form):
    reason = forms.CharField(max_length=200)
    q = forms.CharField(max_length=254, required=False)  # the search to return to


def refunds(request: HttpRequest) -> HttpResponse:
    """Find a purchase or a tip (its id, or the buyer's / sender's login or id) and refund it."""
    query = request.GET.get("q", "").strip()[:254]
    purchases: list[Purchase] = []
    tips: list[wallet_selectors.StaffTipLine] = []
    person = None
    if query:
        purchases = selectors.purchases_for_staff(purchase_id=query)
        tips = wallet_selectors.tips_for_staff(tip_id=query)
        if not purchases and not tips:
            person = user_by_login_or_id(query)
            if person is not None:
                purchases = selectors.purchases_for_staff(buyer_id=person.pk)
                tips = wallet_selectors.tips_for_staff(sender_id=person.pk)
    context = {"query": query, "person": person, "purchases": purchases, "tips": tips}
    return render(request, "payments/console/refunds.html", context)


def _back(form: RefundForm) -> HttpResponseRedirect:
    query = form.cleaned_data.get("q", "")  # called after is_valid(): cleaned_data exists, valid or not
    return HttpResponseRedirect("/staff/refunds/" + (f"?{urlencode({'q': query})}" if query else ""))


@require_POST
def purchase_refund(request: HttpRequest, purchase_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.MONEY_REFUND)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–200 characters.")
        return _back(form)
    before = selectors.purchases_for_staff(purchase_id=purchase_id)
    reason = form.cleaned_data["reason"]
    purchase = staff_action(
        request,
        lambda: services.purchase_refund(actor=actor, purchase_id=purchase_id, reason=reason, ip=client_ip(request)),
    )
    if purchase is not None:
        if before and before[0].status == Purchase.Status.REFUNDED:
            messages.info(request, f"Purchase {purchase.pk} was already refunded; nothing changed.")
        else:
            messages.success(request, f"Purchase {purchase.pk} refunded: {purchase.tokens} tokens taken back.")
    return _back(form)


@require_POST
def tip_refund(request: HttpRequest, tip_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.MONEY_REFUND)
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason of 1–200 characters.")
        return _back(form)
    before = wallet_selectors.tips_for_staff(tip_id=tip_id)
    reason = form.cleaned_data["reason"]
    tip = staff_action(
        request, lambda: wallet_services.tip_refund(actor=actor, tip_id=tip_id, reason=reason, ip=client_ip(request))
    )
    if tip is not None:
        if before and before[0].left <= 0:
            messages.info(request, f"Tip {tip.pk} was already given back; nothing changed.")
        else:
            messages.success(request, f"Tip {tip.pk} refunded: {before[0].left} tokens back to {tip.sender.login}.")
    return _back(form)


# --- the postback log --------------------------------------------------------------------


def postbacks(request: HttpRequest) -> HttpResponse:
    provider = request.GET.get("provider", "")[:20]
    outcome = request.GET.get("outcome", "")[:24]
    if outcome and outcome not in Postback.Outcome.values:
        outcome = ""
    before = request.GET.get("before", "")[:26]
    rows = selectors.postback_log(provider=provider, outcome=outcome, before_id=before, limit=POSTBACK_PAGE)
    older = ""
    if len(rows) == POSTBACK_PAGE:
        older = "?" + urlencode(
            {k: v for k, v in (("provider", provider), ("outcome", outcome)) if v} | {"before": rows[-1].pk}
        )
    context = {
        "rows": rows,
        "provider": provider,
        "outcome": outcome,
        "providers": selectors.postback_providers(),
        "outcomes": Postback.Outcome.choices,
        "older": older,
    }
    return render(request, "payments/console/postbacks.html", context)


def _postbacks_blurb(actor: Any) -> str:
    refused = selectors.postbacks_refused_since(timezone.now() - timedelta(hours=24))
    return f"{refused} refused in 24 h" if refused else "None refused in 24 h"


# --- the person page's purchases panel ----------------------------------------------------------


def purchases_panel(subject: Any, actor: Any) -> dict[str, Any]:
    return {
        "purchases": list(selectors.purchases_of(subject, limit=20)),
        "can_refund": role_has(actor.role, Perm.MONEY_REFUND),
    }


console_section(
    slug="refunds",
    title="Refunds",
    perm=Perm.MONEY_REFUND,
    order=50,
    description="Refund a purchase (tokens unspent) or give a tip back to its sender.",
    view=refunds,
    template="payments/console/refunds.html",
    routes=[
        path("purchases/<str:purchase_id>/refund", purchase_refund, name="purchase"),
        path("tips/<str:tip_id>/refund", tip_refund, name="tip"),
    ],
)

console_section(
    slug="postbacks",
    title="Postback log",
    perm=Perm.LEDGER_READ,
    order=70,
    description="Every notice from the payment processors: signature, outcome, the purchase it touched.",
    view=postbacks,
    template="payments/console/postbacks.html",
    blurb=_postbacks_blurb,
)

user_panel(
    key="purchases",
    title="Purchases",
    perm=Perm.PURCHASES_READ_ANY,
    order=20,
    template="payments/console/_user_purchases.html",
    context=purchases_panel,
)
