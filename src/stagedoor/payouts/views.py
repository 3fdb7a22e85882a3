"""Performer pages of payouts: /studio/payout-method (the method in force, masked; change it; its history)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import forms, selectors, services


def _context(user: User, form: forms.PayoutMethodForm) -> dict[str, Any]:
    return {
        "form": form,
        "current": selectors.current_payout_method(user),
        "history": selectors.payout_method_history(user),
        "legal_name_known": bool(selectors.verified_legal_name(user)),
        "blockers": selectors.payout_blockers(user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def payout_method_page(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    if not role_has(user.role, Perm.PAYOUT_DETAILS_MANAGE):
        return render(
            request,
            "web/message.html",
            {"title": "Payout method", "message": "This page is for performers."},
            status=403,
        )
    if request.method == "GET":
        current = selectors.current_payout_method(user)
        initial = {"kind": current.kind, "holder_name": current.holder_name} if current else {}
        return render(request, "payouts/payout_method.html", _context(user, forms.PayoutMethodForm(initial=initial)))
    form = forms.PayoutMethodForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            method = services.payout_method_set(
                performer=user,
                kind=data["kind"],
                holder_name=data["holder_name"],
                fields={k: data[k] for k in ("iban", "bic", "email", "address")},
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, f"Payout method saved: {method.get_kind_display()} {method.masked}.")
            return HttpResponseRedirect("/studio/payout-method")
    return render(request, "payouts/payout_method.html", _context(user, form), status=422)
