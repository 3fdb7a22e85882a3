"""Who may call each analytics endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me/dashboard"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/me/dashboard.csv"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/analytics/finance"): Perm.FINANCE_DASHBOARD,
    ("GET", "/api/v1/analytics/finance.csv"): Perm.FINANCE_DASHBOARD,
}
