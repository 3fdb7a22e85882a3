"""Appeals: open appeals for a moderator other than the one who decided; uphold (reverse) or reject."""

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
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors, services
from stagedoor.moderation.console.common import actor_of

BASE = "/staff/appeals/"


def appeals(request: HttpRequest) -> HttpResponse:
    rows = selectors.appeals_queue_for(actor_of(request))
    context = {
        "rows": [
            {
                "appeal": a,
                "action_title": P.ACTION_TITLES.get(a.decision.action, a.decision.action),
                "policy": P.POLICIES.get(a.decision.policy_code),
            }
            for a in rows
        ]
    }
    return render(request, "moderation/console/appeals.html", context)


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("upheld", "Uphold"), ("rejected", "Reject")])
    note = forms.CharField(max_length=2000, required=False)


@require_POST
def appeal_decide(request: HttpRequest, appeal_id: str) -> HttpResponse:
    actor = actor_of(request)
    form = AppealDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Uphold or reject the appeal (a note of at most 2000 characters).")
        return HttpResponseRedirect(BASE)
    outcome, note = form.cleaned_data["outcome"], form.cleaned_data["note"]
    appeal = staff_action(
        request,
        lambda: services.appeal_decide(
            actor=actor, appeal_id=appeal_id, outcome=outcome, note=note, ip=client_ip(request)
        ),
    )
    if appeal is not None:
        done = "upheld: the decision is reversed" if outcome == "upheld" else "rejected: the decision stands"
        messages.success(request, f"Appeal {done}.")
    return HttpResponseRedirect(BASE)


def _blurb(actor: Any) -> str:
    return f"{selectors.open_appeals_count_for(actor)} waiting"


console_section(
    slug="appeals",
    title="Appeals",
    perm=Perm.MODERATION_REVIEW,
    order=23,
    description="Appeals against decisions: reviewed by a moderator who did not decide; upheld ones are reversed.",
    view=appeals,
    template="moderation/console/appeals.html",
    routes=[path("<str:appeal_id>/decide", appeal_decide, name="decide")],
    blurb=_blurb,
)
