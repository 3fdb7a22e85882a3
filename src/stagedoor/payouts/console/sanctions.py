"""Staff console sections of payouts (registered from apps.ready): the sanctions clearance queue (highest score and
newest first; clear as a false positive or confirm, reason required, audited), the lists loaded, and a payouts box
on the person page (their method masked, why they cannot be paid, their screening results)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_trail
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import refusal_text
from stagedoor.core.middleware import client_ip
from stagedoor.payouts import forms, selectors, services

FILTERS = {"open": "Open", "cleared": "Cleared", "confirmed": "Confirmed", "all": "All"}


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


def sanctions_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in FILTERS:
        status = "open"
    context = {
        "cases": selectors.screening_queue(status="" if status == "all" else status),
        "status": status,
        "filters": FILTERS,
        "lists": selectors.sanctions_lists(limit=5),
        "decision_form": forms.DecisionForm(),
    }
    return render(request, "payouts/console/sanctions.html", context)


@require_POST
def case_decide(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.SANCTIONS_REVIEW)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose clear or confirm, and give the reason (at most 2,000 characters).")
        return HttpResponseRedirect("/staff/sanctions/")
    data = form.cleaned_data
    case = staff_action(
        request,
        lambda: services.screening_case_decide(
            actor=actor, case_id=case_id, decision=data["decision"], reason=data["reason"], ip=client_ip(request)
        ),
    )
    if case is not None:
        messages.success(request, f"{case.performer.login} ~ {case.matched_name}: {case.get_status_display().lower()}.")
    return HttpResponseRedirect("/staff/sanctions/")


@require_POST
def list_reload(request: HttpRequest) -> HttpResponse:
    """Load the configured list (the operator's file, or the sample) again and screen everyone against it."""
    actor = require_perm(_actor(request), Perm.SANCTIONS_REVIEW)
    try:
        result = services.sanctions_list_load(actor=actor)
    except ApplicationError as exc:
        problems = exc.extra.get("problems") or []
        messages.error(request, f"{refusal_text(exc)} {'; '.join(str(p) for p in problems[:10])}")
        return HttpResponseRedirect("/staff/sanctions/")
    if result.created:
        messages.success(
            request,
            f"Loaded {result.sanctions_list.entries} entries; screened {result.screened} people, "
            f"{result.opened} new case(s).",
        )
    else:
        messages.success(request, "The list is unchanged (same contents as the one loaded).")
    return HttpResponseRedirect("/staff/sanctions/")


def _panel(subject: User, actor: User) -> dict[str, Any] | None:
    method = selectors.current_payout_method(subject)
    cases = selectors.cases_of(subject)
    if method is None and not cases and not role_has(subject.role, Perm.PAYOUT_DETAILS_MANAGE):
        return None
    refusals = [e for e in audit_trail(str(subject.pk), limit=100) if e.action == "payouts.method_refused"][:5]
    return {
        "subject": subject,
        "method": method,
        "history": selectors.payout_method_history(subject, limit=5),
        "blockers": selectors.payout_blockers(subject),
        "cases": cases,
        "refusals": refusals,
        "can_decide": role_has(actor.role, Perm.SANCTIONS_REVIEW),
    }


def _blurb(actor: Any) -> str:
    return f"{selectors.open_case_count()} open"


user_panel(
    key="payouts",
    title="Payouts and screening",
    perm=Perm.SANCTIONS_REVIEW,
    template="payouts/console/_panel.html",
    context=_panel,
    order=60,
)


console_section(
    slug="sanctions",
    title="Sanctions screening",
    perm=Perm.SANCTIONS_REVIEW,
    order=65,
    description="Clear or confirm possible sanctions matches of payees; load the sanctions list.",
    view=sanctions_index,
    template="payouts/console/sanctions.html",
    routes=[
        path("cases/<str:case_id>/decide", case_decide, name="decide"),
        path("lists/reload", list_reload, name="reload"),
    ],
    blurb=_blurb,
)
