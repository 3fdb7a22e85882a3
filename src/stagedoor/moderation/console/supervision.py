"""Supervisors (admin) see load and exposure per moderator and rebalance: hand a case to someone, or put
everything a moderator holds back in the queue. Moderators never see this page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.middleware import client_ip
from stagedoor.moderation import selectors, services
from stagedoor.moderation.console.common import actor_of
from stagedoor.moderation.models import Case

BASE = "/staff/moderators/"


def moderators(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": selectors.moderators_load(),
        "claimed": selectors.queue(status=Case.Status.CLAIMED),
        "waiting": selectors.queue(status=Case.Status.OPEN, limit=50),
        "escalated": selectors.queue(status=Case.Status.ESCALATED, limit=50),
        "reviewers": selectors.reviewers(),
    }
    return render(request, "moderation/console/moderators.html", context)


class ReassignForm(forms.Form):
    case_id = forms.CharField(max_length=26)
    moderator_id = forms.CharField(max_length=26)


@require_POST
def reassign(request: HttpRequest) -> HttpResponse:
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a case and a moderator.")
        return HttpResponseRedirect(BASE)
    case_id, moderator_id = form.cleaned_data["case_id"], form.cleaned_data["moderator_id"]
    case = staff_action(
        request,
        lambda: services.case_reassign(
            actor=actor_of(request), case_id=case_id, moderator_id=moderator_id, ip=client_ip(request)
        ),
    )
    if case is not None:
        messages.success(request, f"Case {case.pk} handed to {case.claimed_by.login if case.claimed_by else '?'}.")
    return HttpResponseRedirect(BASE)


@require_POST
def release_all(request: HttpRequest, user_id: str) -> HttpResponse:
    count = services.cases_release_all_of(actor=actor_of(request), moderator_id=user_id[:26], ip=client_ip(request))
    messages.success(request, f"{count} case(s) back in the queue.")
    return HttpResponseRedirect(BASE)


def _blurb(actor: Any) -> str:
    rows = selectors.moderators_load()
    capped = sum(1 for r in rows if r.status.cap_reached)
    on_shift = sum(1 for r in rows if r.status.shift is not None)
    return f"{on_shift} on shift, {capped} at the exposure cap"


console_section(
    slug="moderators",
    title="Moderator load",
    perm=Perm.MODERATION_SUPERVISE,
    order=24,
    description="Load and exposure per moderator this shift; hand cases over and rebalance the queue.",
    view=moderators,
    template="moderation/console/moderators.html",
    routes=[
        path("reassign", reassign, name="reassign"),
        path("<str:user_id>/release", release_all, name="release"),
    ],
    blurb=_blurb,
)
