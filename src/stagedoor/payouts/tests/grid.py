"""Who may call each payouts endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me/payout-method"): Perm.PAYOUT_DETAILS_MANAGE,
    ("PUT", "/api/v1/me/payout-method"): Perm.PAYOUT_DETAILS_MANAGE,
    ("GET", "/api/v1/staff/sanctions/cases"): Perm.SANCTIONS_REVIEW,
    ("POST", "/api/v1/staff/sanctions/cases/{case_id}/decision"): Perm.SANCTIONS_REVIEW,
    ("GET", "/api/v1/staff/sanctions/lists"): Perm.SANCTIONS_REVIEW,
    ("GET", "/api/v1/staff/payouts/users/{user_id}"): Perm.SANCTIONS_REVIEW,
    ("GET", "/api/v1/me/payouts"): Perm.PAYOUT_DETAILS_MANAGE,
    ("GET", "/api/v1/staff/payout-runs"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-runs"): Perm.PAYOUTS_MANAGE,
    ("GET", "/api/v1/staff/payout-runs/{run_id}"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-runs/{run_id}/approve"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-runs/{run_id}/send"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-runs/{run_id}/cancel"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payouts/{item_id}/review"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-runs/{run_id}/outcomes"): Perm.PAYOUTS_MANAGE,
    ("POST", "/api/v1/staff/payout-reports"): Perm.PAYOUTS_MANAGE,
}
