"""Dashboards as CSV (one table per chart) and as JSON-ready dicts, shared by the pages and the API."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Any

from django.http import HttpResponse

from stagedoor.analytics.selectors import FinanceDashboard, PerformerDashboard

PERFORMER_TABLES = ("earnings", "supporters", "minutes", "conversion")
FINANCE_TABLES = ("sales", "revenue", "chargebacks", "liabilities", "payouts")


def performer_rows(board: PerformerDashboard, table: str) -> list[list[Any]]:
    if table == "supporters":
        return [["supporter", "tokens", "payments"], *[[s.name, s.tokens, s.payments] for s in board.supporters]]
    if table == "minutes":
        return [
            ["day", "show_minutes", "tokens"],
            *[list(r) for r in zip(board.labels, board.minutes, board.show_tokens, strict=True)],
        ]
    if table == "conversion":
        return [
            ["day", "payers", "chatters", "conversion"],
            *[
                [d, p, c, "" if r is None else f"{r:.4f}"]
                for d, p, c, r in zip(board.labels, board.payers, board.chatters, board.conversion, strict=True)
            ],
        ]
    header = ["day", *[s.key for s in board.earnings], "total"]
    rows = []
    for i, day in enumerate(board.labels):
        values = [s.values[i] for s in board.earnings]
        rows.append([day, *values, sum(values)])
    return [header, *rows]


def finance_rows(board: FinanceDashboard, table: str) -> list[list[Any]]:
    if table == "payouts":
        return [["day", "paid_out_tokens"], *[[d, board.paid_out[i]] for i, d in enumerate(board.labels)]]
    if table == "revenue":
        return [
            ["day", *[s.key for s in board.revenue], "total"],
            *[
                [d, *[s.values[i] for s in board.revenue], sum(s.values[i] for s in board.revenue)]
                for i, d in enumerate(board.labels)
            ],
        ]
    if table == "chargebacks":
        return [
            ["provider", "purchases", "chargebacks", "rate"],
            *[
                [p.provider, p.purchases, p.chargebacks, "" if p.rate is None else f"{p.rate:.4f}"]
                for p in board.providers
            ],
        ]
    if table == "liabilities":
        return [["day", "tokens_held"], *[[d, v] for d, v in zip(board.labels, board.liabilities, strict=True)]]
    currencies = sorted(board.sales_money)
    return [
        ["day", "tokens", *[f"{c}_minor" for c in currencies]],
        *[
            [d, board.sales_tokens[i], *[board.sales_money[c][i] for c in currencies]]
            for i, d in enumerate(board.labels)
        ],
    ]


def to_csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return out.getvalue()


def _safe(value: Any) -> Any:
    """No spreadsheet formulas from names (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def as_dict(board: PerformerDashboard | FinanceDashboard) -> dict[str, Any]:
    return asdict(board)


def csv_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
