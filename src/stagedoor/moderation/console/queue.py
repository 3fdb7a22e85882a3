"""The review queue: cases worst-first with SLA time left and breaches, filters, the next case, claim / release /
decide, bulk decisions for spam waves, and the moderator's shift panel (exposure, cap, break prompt)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.middleware import client_ip
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors, services
from stagedoor.moderation.console.common import SOURCES, actor_of, case_page_context, frame_response, policy_rows

BASE = "/staff/queue/"
BULK_MAX = 200


def _case_url(case_id: str) -> str:
    return f"{BASE}cases/{case_id}/"


def queue(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    source = request.GET.get("source", "")[:12]
    category = request.GET.get("category", "")[:32]
    status = request.GET.get("status", "")[:10]
    mine = request.GET.get("mine") == "1"
    rows = selectors.queue(source=source, category=category, status=status, holder=actor if mine else None)
    sources, categories = selectors.queue_facets()
    context = {
        "rows": rows,
        "source": source,
        "category": category,
        "status": status,
        "mine": mine,
        "sources": [(v, label) for v, label in SOURCES if v in sources or v == source],
        "categories": sorted(set(categories) | ({category} if category else set())),
        "statuses": [(s.value, s.label) for s in selectors.ACTIVE],
        "counts": selectors.queue_counts(),
        "shift": selectors.shift_status(actor),
        "policies": policy_rows(),
        "actions": [(a, P.ACTION_TITLES[a]) for a in P.ACTIONS if a != P.ESCALATE],
        "filtered": bool(source or category or status or mine),
    }
    return render(request, "moderation/console/queue.html", context)


def case_page(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = actor_of(request)
    case = selectors.case_get(case_id)
    if case.graphic and case.is_open:
        services.exposure_view_record(moderator=actor, case=case)
    context = case_page_context(request, case, base=_case_url(case.pk), can_act=case.is_open)
    return render(request, "moderation/console/case.html", context)


def case_frame(request: HttpRequest, case_id: str, item: str) -> HttpResponse:
    return frame_response(request, case_id, item[:40], may_reveal=True)


@require_POST
def case_reveal(request: HttpRequest, case_id: str, item: str) -> HttpResponse:
    actor = actor_of(request)
    staff_action(
        request,
        lambda: services.exposure_reveal_record(
            moderator=actor, case_id=case_id, item=item[:40], ip=client_ip(request)
        ),
    )
    return HttpResponseRedirect(_case_url(case_id) + f"#frame-{item[:40]}")


@require_POST
def case_claim(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = actor_of(request)
    case = staff_action(request, lambda: services.case_claim(actor=actor, case_id=case_id, ip=client_ip(request)))
    if case is not None:
        messages.success(request, "You hold this case now.")
    return HttpResponseRedirect(_case_url(case_id))


@require_POST
def case_release(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = actor_of(request)
    case = staff_action(request, lambda: services.case_release(actor=actor, case_id=case_id, ip=client_ip(request)))
    if case is not None:
        messages.info(request, "The case is back in the queue.")
    return HttpResponseRedirect(_case_url(case_id))


class DecideForm(forms.Form):
    policy_code = forms.CharField(max_length=20)
    action = forms.CharField(max_length=20)
    note = forms.CharField(max_length=2000, required=False)
    timeout_minutes = forms.IntegerField(min_value=1, max_value=1440, required=False)


@require_POST
def case_decide(request: HttpRequest, case_id: str) -> HttpResponse:
    actor = actor_of(request)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a policy and an action (a note of at most 2000 characters).")
        return HttpResponseRedirect(_case_url(case_id))
    data = form.cleaned_data
    minutes = data.get("timeout_minutes")
    decision = staff_action(
        request,
        lambda: services.case_decide(
            actor=actor,
            case_id=case_id,
            policy_code=data["policy_code"],
            action=data["action"],
            note=data["note"],
            timeout_seconds=minutes * 60 if minutes else None,
            ip=client_ip(request),
        ),
    )
    if decision is None:
        return HttpResponseRedirect(_case_url(case_id))
    messages.success(request, f"Decided: {P.ACTION_TITLES[decision.action]} under {decision.policy_code}.")
    return HttpResponseRedirect(BASE)


@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    taken = staff_action(request, lambda: (services.case_take_next(actor=actor, ip=client_ip(request)),))
    if taken is None:  # refused: the message says why
        return HttpResponseRedirect(BASE)
    case = taken[0]
    if case is None:
        messages.info(request, "No case is waiting for you.")
        return HttpResponseRedirect(BASE)
    return HttpResponseRedirect(_case_url(case.pk))


class BulkForm(forms.Form):
    policy_code = forms.CharField(max_length=20)
    action = forms.CharField(max_length=20)
    note = forms.CharField(max_length=2000, required=False)


@require_POST
def bulk_decide(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = BulkForm(request.POST)
    ids = [i[:26] for i in request.POST.getlist("case")][:BULK_MAX]
    if not form.is_valid() or not ids:
        messages.error(request, "Tick the cases, then choose a policy and an action.")
        return HttpResponseRedirect(BASE)
    data = form.cleaned_data
    outcome = staff_action(
        request,
        lambda: services.cases_decide_bulk(
            actor=actor,
            case_ids=ids,
            policy_code=data["policy_code"],
            action=data["action"],
            note=data["note"],
            ip=client_ip(request),
        ),
    )
    if outcome is not None:
        messages.success(request, f"Decided {len(outcome.decided)} case(s).")
        for case_id, why in outcome.refused.items():
            messages.error(request, f"Case {case_id}: {why}")
    return HttpResponseRedirect(BASE)


@require_POST
def shift_break(request: HttpRequest) -> HttpResponse:
    services.shift_break_record(moderator=actor_of(request), ip=client_ip(request))
    messages.success(request, "Break recorded. Welcome back.")
    return HttpResponseRedirect(BASE)


@require_POST
def shift_end(request: HttpRequest) -> HttpResponse:
    ended = services.shift_end(moderator=actor_of(request), ip=client_ip(request))
    messages.info(request, "Shift ended." if ended else "No shift was under way.")
    return HttpResponseRedirect(BASE)


def _blurb(actor: Any) -> str:
    counts = selectors.queue_counts()
    text = f"{counts.active} open"
    if counts.breached:
        text += f", {counts.breached} past SLA"
    return text


def queue_link(**params: str) -> str:
    return BASE + ("?" + urlencode(params) if params else "")


console_section(
    slug="queue",
    title="Review queue",
    perm=Perm.MODERATION_REVIEW,
    order=22,
    description="Cases from chat holds, frame flags, hash matches, reports and appeals: worst first, with SLAs.",
    view=queue,
    template="moderation/console/queue.html",
    routes=[
        path("cases/<str:case_id>/", case_page, name="case"),
        path("cases/<str:case_id>/claim", case_claim, name="claim"),
        path("cases/<str:case_id>/release", case_release, name="release"),
        path("cases/<str:case_id>/decide", case_decide, name="decide"),
        path("cases/<str:case_id>/frames/<str:item>", case_frame, name="frame"),
        path("cases/<str:case_id>/frames/<str:item>/reveal", case_reveal, name="reveal"),
        path("next", take_next, name="next"),
        path("bulk", bulk_decide, name="bulk"),
        path("shift/break", shift_break, name="break"),
        path("shift/end", shift_end, name="shift-end"),
    ],
    blurb=_blurb,
)
