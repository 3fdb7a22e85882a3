"""Who may call each community endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/community/events"): "anon",
    ("GET", "/api/v1/community/events/{slug}"): "anon",
    ("POST", "/api/v1/community/events/{event_id}/entry"): Perm.ROOM_MANAGE,
    ("DELETE", "/api/v1/community/events/{event_id}/entry"): Perm.ROOM_MANAGE,
    ("GET", "/api/v1/community/contests"): "anon",
    ("GET", "/api/v1/community/contests/{slug}/leaderboard"): "anon",
    ("POST", "/api/v1/community/contests/{contest_id}/entry"): Perm.ROOM_MANAGE,
    ("DELETE", "/api/v1/community/contests/{contest_id}/entry"): Perm.ROOM_MANAGE,
    ("GET", "/api/v1/community/profiles/{login}"): "anon",
    ("GET", "/api/v1/community/me"): "auth",
}
