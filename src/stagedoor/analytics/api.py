"""The analytics API (see docs/analytics.md): the performer's and the finance dashboards' data, JSON or CSV."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from stagedoor.accounts.auth import requires
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.analytics import exports, schemas, selectors
from stagedoor.core.errors import ValidationFailed

router = Router(tags=["analytics"])


def _days(days: int) -> int:
    if days not in selectors.RANGES:
        raise ValidationFailed.of_field("days", "Use 30, 90 or 365.")
    return days


@router.get("/me/dashboard", response=schemas.PerformerDashboardOut, auth=requires(Perm.EARNINGS_READ))
def my_dashboard(request: HttpRequest, days: int = 30) -> Any:
    """Your earnings by source, top supporters, show minutes and payers ÷ chatters, per day."""
    me = require_perm(request.auth, Perm.EARNINGS_READ)  # type: ignore[attr-defined]
    return selectors.performer_dashboard(me, days=_days(days))


@router.get("/me/dashboard.csv", auth=requires(Perm.EARNINGS_READ))
def my_dashboard_csv(
    request: HttpRequest, days: int = 30, table: Literal["earnings", "supporters", "minutes", "conversion"] = "earnings"
) -> HttpResponse:
    me = require_perm(request.auth, Perm.EARNINGS_READ)  # type: ignore[attr-defined]
    board = selectors.performer_dashboard(me, days=_days(days))
    return exports.csv_response(exports.to_csv(exports.performer_rows(board, table)), f"dashboard-{table}-{days}d.csv")


@router.get("/analytics/finance", response=schemas.FinanceDashboardOut, auth=requires(Perm.FINANCE_DASHBOARD))
def finance_dashboard(request: HttpRequest, days: int = 30) -> Any:
    """Token sales, platform revenue by product, chargeback rates, earnings owed and liabilities, per day."""
    require_perm(request.auth, Perm.FINANCE_DASHBOARD)  # type: ignore[attr-defined]
    return selectors.finance_dashboard(days=_days(days))


@router.get("/analytics/finance.csv", auth=requires(Perm.FINANCE_DASHBOARD))
def finance_dashboard_csv(
    request: HttpRequest, days: int = 30, table: Literal["sales", "revenue", "chargebacks", "liabilities"] = "sales"
) -> HttpResponse:
    require_perm(request.auth, Perm.FINANCE_DASHBOARD)  # type: ignore[attr-defined]
    board = selectors.finance_dashboard(days=_days(days))
    return exports.csv_response(exports.to_csv(exports.finance_rows(board, table)), f"finance-{table}-{days}d.csv")
