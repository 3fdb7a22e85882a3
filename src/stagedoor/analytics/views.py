"""The performer's dashboard (`/studio/dashboard`) and its CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.analytics import exports, selectors
from stagedoor.core.errors import ApplicationError
from stagedoor.payouts import selectors as payout_selectors


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "30")
    return selectors.clamp_days(int(raw) if raw.isdigit() else 30)


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Not possible", "message": exc.message}, status=exc.status)


@login_required
def studio_dashboard(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    board = selectors.performer_dashboard(performer, days=_days(request))
    payouts = list(reversed(payout_selectors.payouts_of(performer, limit=12)))
    context = {
        "payouts": payouts,
        "board": board,
        "ranges": selectors.RANGES,
        "chart_data": {
            "labels": board.labels,
            "earnings": [{"key": s.key, "label": s.label, "values": s.values} for s in board.earnings],
            "supporters": [{"name": s.name, "tokens": s.tokens} for s in board.supporters],
            "minutes": board.minutes,
            "payers": board.payers,
            "chatters": board.chatters,
            "conversion": board.conversion,
            "payouts": [
                {"period": f"{p.run.period_end:%Y-%m-%d}", "paid": p.amount_tokens, "reserve": p.reserve_tokens}
                for p in payouts
            ],
        },
        "rows": {t: exports.performer_rows(board, t) for t in exports.PERFORMER_TABLES},
    }
    return render(request, "analytics/studio_dashboard.html", context)


@login_required
def studio_dashboard_csv(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    table = request.GET.get("table", "earnings")
    if table not in exports.PERFORMER_TABLES:
        table = "earnings"
    days = _days(request)
    board = selectors.performer_dashboard(performer, days=days)
    return exports.csv_response(exports.to_csv(exports.performer_rows(board, table)), f"dashboard-{table}-{days}d.csv")
