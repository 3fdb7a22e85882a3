"""Who may call each privacy endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/privacy/requests"): "auth",
    ("POST", "/api/v1/privacy/export"): "auth",
    ("POST", "/api/v1/privacy/erasure"): "auth",
    # the request's person or privacy staff: checked inside (test_api.py)
    ("POST", "/api/v1/privacy/requests/{request_id}/cancel"): "auth",
    ("GET", "/api/v1/privacy/staff/requests"): Perm.PRIVACY_REQUESTS_MANAGE,
    ("GET", "/api/v1/privacy/staff/requests/{request_id}"): Perm.PRIVACY_REQUESTS_MANAGE,
    ("POST", "/api/v1/privacy/staff/requests"): Perm.PRIVACY_REQUESTS_MANAGE,
    ("GET", "/api/v1/privacy/holds"): Perm.LEGAL_HOLDS_MANAGE,
    ("POST", "/api/v1/privacy/holds"): Perm.LEGAL_HOLDS_MANAGE,
    ("POST", "/api/v1/privacy/holds/{hold_id}/release"): Perm.LEGAL_HOLDS_MANAGE,
    ("GET", "/api/v1/privacy/retention"): Perm.PRIVACY_REQUESTS_MANAGE,
}
