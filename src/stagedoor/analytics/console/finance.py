"""Staff console section of analytics: the finance dashboard (`/staff/finance/`) and its CSV export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from stagedoor.accounts.roles import Perm
from stagedoor.analytics import exports, selectors
from stagedoor.core.console import console_section


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "30")
    return selectors.clamp_days(int(raw) if raw.isdigit() else 30)


def finance(request: HttpRequest) -> HttpResponse:
    board = selectors.finance_dashboard(days=_days(request))
    context = {
        "board": board,
        "ranges": selectors.RANGES,
        "status": selectors.rollup_status(),
        "chart_data": {
            "labels": board.labels,
            "sales_tokens": board.sales_tokens,
            "revenue": [{"key": s.key, "label": s.label, "values": s.values} for s in board.revenue],
            "liabilities": board.liabilities,
            "paid_out": board.paid_out,
            "providers": [{"name": p.provider, "rate": p.rate} for p in board.providers],
        },
        "rows": {t: exports.finance_rows(board, t) for t in exports.FINANCE_TABLES},
    }
    return render(request, "analytics/console/finance.html", context)


def finance_csv(request: HttpRequest) -> HttpResponse:
    table = request.GET.get("table", "sales")
    if table not in exports.FINANCE_TABLES:
        table = "sales"
    days = _days(request)
    board = selectors.finance_dashboard(days=days)
    return exports.csv_response(exports.to_csv(exports.finance_rows(board, table)), f"finance-{table}-{days}d.csv")


def _blurb(actor: object) -> str:
    status = selectors.rollup_status()
    return "roll-up up to date" if not status["behind"] else f"{status['behind']} entries to fold"


console_section(
    slug="finance",
    title="Finance dashboard",
    perm=Perm.FINANCE_DASHBOARD,
    order=60,
    description="Token sales, revenue by product, earnings owed, chargeback rates and liabilities, by day.",
    view=finance,
    template="analytics/console/finance.html",
    routes=[path("export.csv", finance_csv, name="csv")],
    blurb=_blurb,
)
