"""Who may call each affiliates endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    # anyone signed in; a person without a referral account gets 404 affiliates.not_an_affiliate (test_api.py)
    ("GET", "/api/v1/affiliates/me"): "auth",
    ("POST", "/api/v1/affiliates/me/links"): "auth",
    ("PUT", "/api/v1/affiliates/me/postback"): "auth",
    # trackers: no session, the body's signature is the authentication (test_callbacks.py)
    ("POST", "/api/v1/affiliates/callbacks/{affiliate_id}"): "anon",
    ("GET", "/api/v1/staff/affiliates/plans"): Perm.AFFILIATES_MANAGE,
    ("POST", "/api/v1/staff/affiliates/plans"): Perm.AFFILIATES_MANAGE,
    ("POST", "/api/v1/staff/affiliates"): Perm.AFFILIATES_MANAGE,
    ("GET", "/api/v1/staff/affiliates/commissions/held"): Perm.AFFILIATES_MANAGE,
    ("POST", "/api/v1/staff/affiliates/commissions/{commission_id}/release"): Perm.AFFILIATES_MANAGE,
    ("POST", "/api/v1/staff/affiliates/commissions/{commission_id}/void"): Perm.AFFILIATES_MANAGE,
}
