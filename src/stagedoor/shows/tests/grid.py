"""Who may call each shows endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/me/show-settings"): Perm.SHOW_HOST,
    ("PUT", "/api/v1/me/show-settings"): Perm.SHOW_HOST,
    ("GET", "/api/v1/me/show-requests"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/{show_id}/accept"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/{show_id}/decline"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/group"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/tickets"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/{show_id}/start"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/{show_id}/cancel"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/{show_id}/end"): Perm.SHOW_HOST,
    ("POST", "/api/v1/shows/private"): Perm.SHOW_JOIN,
    ("POST", "/api/v1/shows/{show_id}/join"): Perm.SHOW_JOIN,
    ("POST", "/api/v1/shows/{show_id}/ticket"): Perm.SHOW_JOIN,
    ("POST", "/api/v1/shows/{show_id}/spy"): Perm.SHOW_JOIN,
    # a participant's own seat (a 404/403 for anyone else, checked inside)
    ("POST", "/api/v1/shows/{show_id}/leave"): "auth",
    ("POST", "/api/v1/shows/{show_id}/heartbeat"): "auth",
    ("GET", "/api/v1/shows/{show_id}"): "auth",
    ("GET", "/api/v1/shows/{show_id}/statement"): "auth",
}
