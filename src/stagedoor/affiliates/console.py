"""Staff console of affiliates (`/staff/affiliates/`): commission plans and affiliates (create, change plan, suspend),
held commissions (release or void, each audited by its service), inbound callbacks. Money decisions, so the section
needs `Perm.AFFILIATES_MANAGE` (finance and administrators)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import user_by_login_or_id
from stagedoor.affiliates import selectors, services
from stagedoor.affiliates.models import Affiliate, CommissionPlan
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.middleware import client_ip

SECTION = "/staff/affiliates/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only staff holding the section's permission through


def _int(request: HttpRequest, name: str) -> int:
    raw = str(request.POST.get(name, "") or "0").strip()
    return int(raw) if raw.isdigit() else -1


def affiliates_page(request: HttpRequest) -> HttpResponse:
    context = {
        "plans": list(selectors.plans_all()),
        "affiliates": selectors.affiliates_for_staff(),
        "held": selectors.commissions_held(),
        "callbacks": selectors.callbacks_recent(limit=20),
        "kinds": CommissionPlan.Kind.choices,
        "attributions": CommissionPlan.Attribution.choices,
        "statuses": Affiliate.Status.choices,
    }
    return render(request, "affiliates/console/affiliates.html", context)


@require_POST
def plan_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    plan = staff_action(
        request,
        lambda: services.plan_create(
            actor=actor,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", ""),
            share_bp=_int(request, "share_bp"),
            months=_int(request, "months"),
            cpa_tokens=_int(request, "cpa_tokens"),
            window_days=_int(request, "window_days"),
            attribution=request.POST.get("attribution", CommissionPlan.Attribution.LAST_CLICK),
            for_performers=request.POST.get("for_performers") == "1",
            ip=client_ip(request),
        ),
    )
    if plan is not None:
        messages.success(request, f"Plan “{plan.name}” created: {plan.terms()}.")
    return HttpResponseRedirect(SECTION)


@require_POST
def affiliate_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    user = user_by_login_or_id(request.POST.get("user", ""))
    if user is None:
        messages.error(request, "Nobody has that login or id.")
        return HttpResponseRedirect(SECTION)
    affiliate = staff_action(
        request,
        lambda: services.affiliate_create(
            actor=actor,
            user=user,
            plan_id=request.POST.get("plan", ""),
            postback_url=request.POST.get("postback_url", ""),
            code=request.POST.get("code", ""),
            ip=client_ip(request),
        ),
    )
    if affiliate is not None:
        messages.success(request, f"{user.login} is an affiliate now.")
    return HttpResponseRedirect(SECTION)


@require_POST
def affiliate_update(request: HttpRequest, affiliate_id: str) -> HttpResponse:
    actor = _actor(request)
    done = staff_action(
        request,
        lambda: services.affiliate_update(
            actor=actor,
            affiliate_id=affiliate_id,
            plan_id=request.POST.get("plan", ""),
            status=request.POST.get("status", ""),
            ip=client_ip(request),
        ),
    )
    if done is not None:
        messages.success(request, "The affiliate is updated.")
    return HttpResponseRedirect(SECTION)


@require_POST
def commission_release(request: HttpRequest, commission_id: str) -> HttpResponse:
    actor = _actor(request)
    done = staff_action(
        request,
        lambda: services.commission_release(
            actor=actor, commission_id=commission_id, note=request.POST.get("note", ""), ip=client_ip(request)
        ),
    )
    if done is not None:
        messages.success(request, f"Released: {done.tokens} tokens accrued to the affiliate.")
    return HttpResponseRedirect(SECTION)


@require_POST
def commission_void(request: HttpRequest, commission_id: str) -> HttpResponse:
    actor = _actor(request)
    done = staff_action(
        request,
        lambda: services.commission_void(
            actor=actor, commission_id=commission_id, reason=request.POST.get("reason", ""), ip=client_ip(request)
        ),
    )
    if done is not None:
        messages.success(request, "Voided: the commission will not be paid.")
    return HttpResponseRedirect(SECTION)


def _blurb(actor: Any) -> str:
    return f"{len(selectors.commissions_held())} held"


console_section(
    slug="affiliates",
    title="Affiliates",
    perm=Perm.AFFILIATES_MANAGE,
    order=62,
    description="Commission plans and affiliates; release or void held commissions (audited).",
    view=affiliates_page,
    template="affiliates/console/affiliates.html",
    routes=[
        path("plans", plan_create, name="plan-create"),
        path("create", affiliate_create, name="create"),
        path("<str:affiliate_id>/update", affiliate_update, name="update"),
        path("commissions/<str:commission_id>/release", commission_release, name="release"),
        path("commissions/<str:commission_id>/void", commission_void, name="void"),
    ],
    blurb=_blurb,
)
