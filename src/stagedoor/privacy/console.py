"""Staff console of privacy: the data-subject request queue (nearest deadline first), requests received by
e-mail (entered after verifying the sender), and legal holds. Every action is audited by its service."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm, user_by_login_or_id
from stagedoor.core.console import console_section, staff_action, user_panel
from stagedoor.core.middleware import client_ip
from stagedoor.privacy import selectors, services
from stagedoor.privacy.models import RequestKind

REQUESTS = "/staff/privacy/"
HOLDS = "/staff/legal-holds/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


class StaffRequestForm(forms.Form):
    user = forms.CharField(max_length=64, strip=True)
    kind = forms.ChoiceField(choices=RequestKind.choices)
    verification_note = forms.CharField(min_length=10, max_length=2000, strip=True)


class HoldForm(forms.Form):
    user = forms.CharField(max_length=64, strip=True, required=False)
    target_type = forms.ChoiceField(choices=[("", "—"), *[(t, t) for t in services.TARGET_TYPES]], required=False)
    target_id = forms.CharField(max_length=64, strip=True, required=False)
    reason = forms.CharField(min_length=5, max_length=2000, strip=True)
    expires_on = forms.DateField(required=False)


class ReleaseForm(forms.Form):
    reason = forms.CharField(min_length=5, max_length=2000, strip=True)


def requests_page(request: HttpRequest) -> HttpResponse:
    status = "closed" if request.GET.get("status") == "closed" else "open"
    context = {
        "status": status,
        "queue": selectors.request_queue(status=status),
        "now": timezone.now(),
        "form": StaffRequestForm(),
    }
    return render(request, "privacy/console/requests.html", context)


@require_POST
def request_create(request: HttpRequest) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PRIVACY_REQUESTS_MANAGE)
    form = StaffRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Name the account, the kind, and how you verified the sender (10+ characters).")
        return HttpResponseRedirect(REQUESTS)
    subject = user_by_login_or_id(form.cleaned_data["user"])
    if subject is None:
        messages.error(request, "No account with that login or id.")
        return HttpResponseRedirect(REQUESTS)
    made = staff_action(
        request,
        lambda: services.staff_request_create(
            actor=actor,
            user=subject,
            kind=form.cleaned_data["kind"],
            verification_note=form.cleaned_data["verification_note"],
            ip=client_ip(request),
        ),
    )
    if made is not None:
        messages.success(request, f"Request recorded; answer due {made.due_at:%Y-%m-%d}.")
    return HttpResponseRedirect(REQUESTS)


def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    req = selectors.access_request(_actor(request), request_id)
    return render(
        request,
        "privacy/console/request.html",
        {"req": req, "steps": list(req.steps.order_by("app_label")), "holds": selectors.holds_of(req.user)},
    )


@require_POST
def request_cancel(request: HttpRequest, request_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.PRIVACY_REQUESTS_MANAGE)
    if staff_action(
        request, lambda: services.request_cancel(actor=actor, request_id=request_id, ip=client_ip(request))
    ):
        messages.success(request, "Cancelled.")
    return HttpResponseRedirect(f"{REQUESTS}{request_id}/")


def holds_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/console/holds.html",
        {"holds": selectors.holds(active=True), "ended": selectors.holds(active=False, limit=50), "form": HoldForm()},
    )


@require_POST
def hold_place(request: HttpRequest) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.LEGAL_HOLDS_MANAGE)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason (5+ characters) and a valid expiry date.")
        return HttpResponseRedirect(HOLDS)
    data = form.cleaned_data
    subject = user_by_login_or_id(data["user"]) if data["user"] else None
    if data["user"] and subject is None:
        messages.error(request, "No account with that login or id.")
        return HttpResponseRedirect(HOLDS)
    expires = timezone.make_aware(datetime.combine(data["expires_on"], time.min)) if data["expires_on"] else None
    hold = staff_action(
        request,
        lambda: services.legal_hold_place(
            actor=actor,
            user=subject,
            target_type=data["target_type"] or "",
            target_id=data["target_id"] or "",
            reason=data["reason"],
            expires_at=expires,
            ip=client_ip(request),
        ),
    )
    if hold is not None:
        messages.success(request, "Legal hold placed.")
    return HttpResponseRedirect(HOLDS)


@require_POST
def hold_release(request: HttpRequest, hold_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.LEGAL_HOLDS_MANAGE)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason for releasing the hold (5+ characters).")
        return HttpResponseRedirect(HOLDS)
    reason = form.cleaned_data["reason"]
    released = staff_action(
        request,
        lambda: services.legal_hold_release(actor=actor, hold_id=hold_id, reason=reason, ip=client_ip(request)),
    )
    if released is not None:
        messages.success(request, "Legal hold released.")
    return HttpResponseRedirect(HOLDS)


def privacy_panel(subject: Any, actor: Any) -> dict[str, Any] | None:
    requests = list(selectors.requests_of(subject)[:10])
    holds = selectors.holds_of(subject)
    if not requests and not holds:
        return None
    return {"subject": subject, "requests": requests, "holds": holds}


def _requests_blurb(actor: Any) -> str:
    overdue = selectors.overdue_count()
    return f"{selectors.open_count()} open" + (f", {overdue} overdue" if overdue else "")


console_section(
    slug="privacy",
    title="Data requests",
    perm=Perm.PRIVACY_REQUESTS_MANAGE,
    order=80,
    description="Export and erasure requests with their legal deadlines; enter a verified request received by e-mail.",
    view=requests_page,
    template="privacy/console/requests.html",
    routes=[
        path("new", request_create, name="new"),
        path("<str:request_id>/", request_detail, name="detail"),
        path("<str:request_id>/cancel", request_cancel, name="cancel"),
    ],
    blurb=_requests_blurb,
)

console_section(
    slug="legal-holds",
    title="Legal holds",
    perm=Perm.LEGAL_HOLDS_MANAGE,
    order=81,
    description="Keep an account's or a case's data from erasure and retention (reason and expiry, audited).",
    view=holds_page,
    template="privacy/console/holds.html",
    routes=[path("place", hold_place, name="place"), path("<str:hold_id>/release", hold_release, name="release")],
)

user_panel(
    key="privacy",
    title="Data requests and holds",
    perm=Perm.PRIVACY_REQUESTS_MANAGE,
    order=90,
    template="privacy/console/_user_privacy.html",
    context=privacy_panel,
)
