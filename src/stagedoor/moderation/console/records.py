"""Case records (compliance, admin): every case, decision, report and appeal, read-only. Media stays blurred here
(revealing is a reviewer's act, counted against their shift)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.console import console_section
from stagedoor.moderation import selectors
from stagedoor.moderation.console.common import SOURCES, actor_of, case_page_context, frame_response
from stagedoor.moderation.models import Case

BASE = "/staff/cases/"


def records(request: HttpRequest) -> HttpResponse:
    source = request.GET.get("source", "")[:12]
    category = request.GET.get("category", "")[:32]
    status = request.GET.get("status", "")[:10]
    query = request.GET.get("q", "").strip()[:60]
    rows = selectors.cases_for_records(source=source, category=category, status=status, query=query)
    context = {
        "rows": rows,
        "source": source,
        "category": category,
        "status": status,
        "query": query,
        "sources": SOURCES,
        "statuses": Case.Status.choices,
    }
    return render(request, "moderation/console/records.html", context)


def record(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_get(case_id)
    context = case_page_context(request, case, base=f"{BASE}{case.pk}/", can_act=False)
    context["reviewer_link"] = (
        f"/staff/queue/cases/{case.pk}/" if role_has(actor_of(request).role, Perm.MODERATION_REVIEW) else ""
    )
    return render(request, "moderation/console/case.html", context)


def record_frame(request: HttpRequest, case_id: str, item: str) -> HttpResponse:
    return frame_response(request, case_id, item[:40], may_reveal=False)


def _blurb(actor: Any) -> str:
    return f"{selectors.queue_counts().active} open"


console_section(
    slug="cases",
    title="Case records",
    perm=Perm.MODERATION_READ_ALL,
    order=27,
    description="Every trust & safety case with its evidence, decisions, reports and appeals (read-only).",
    view=records,
    template="moderation/console/records.html",
    routes=[
        path("<str:case_id>/", record, name="record"),
        path("<str:case_id>/frames/<str:item>", record_frame, name="frame"),
    ],
    blurb=_blurb,
)
