"""The transparency report (compliance, admin): counts by category, source and action as inline SVG bars, the
median time to action, appeals and reversals; statements of reasons exported as CSV or JSON in the DSA
Transparency Database's fields."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section
from stagedoor.core.errors import ValidationFailed
from stagedoor.moderation import selectors

BASE = "/staff/transparency/"


def _period(request: HttpRequest) -> tuple[Any, Any, str, str]:
    start, end = request.GET.get("start", "")[:10], request.GET.get("end", "")[:10]
    try:
        begin, finish = selectors.period_parse(start, end)
    except ValidationFailed:
        messages.error(request, "Use dates like 2026-01-31, the start on or before the end.")
        begin, finish = selectors.period_parse()
        start = end = ""
    return begin, finish, start, end


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def transparency(request: HttpRequest) -> HttpResponse:
    begin, finish, start, end = _period(request)
    report = selectors.transparency_report(start=begin, end=finish)
    query = urlencode({k: v for k, v in (("start", start), ("end", end)) if v})
    charts = [
        ("Decisions by category", "category", report.by_category),
        ("Decisions by source", "source", report.by_source),
        ("Decisions by action", "action", report.by_action),
    ]
    context = {
        "report": report,
        "charts": [{"title": t, "key": k, "bars": b, "height": 22 * max(1, len(b)) + 4} for t, k, b in charts],
        "median": _duration(report.median_seconds_to_action),
        "start": start or begin.strftime("%Y-%m-%d"),
        "end": end or (finish - timedelta(days=1)).strftime("%Y-%m-%d"),
        "export_query": f"?{query}" if query else "",
    }
    return render(request, "moderation/console/transparency.html", context)


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    begin, finish, _start, _end = _period(request)
    body, content_type, filename = selectors.statements_download(start=begin, end=finish, fmt=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    return export(request, "csv")


def export_json(request: HttpRequest) -> HttpResponse:
    return export(request, "json")


def _blurb(actor: Any) -> str:
    begin, finish = selectors.period_parse()
    return f"{selectors.transparency_report(start=begin, end=finish).decisions} decisions in 30 days"


console_section(
    slug="transparency",
    title="Transparency",
    perm=Perm.TRANSPARENCY_READ,
    order=26,
    description="Decisions by category, source and action; time to action; appeals; DSA statement export.",
    view=transparency,
    template="moderation/console/transparency.html",
    routes=[
        path("statements.csv", export_csv, name="csv"),
        path("statements.json", export_json, name="json"),
    ],
    blurb=_blurb,
)
