"""Who may call each streaming endpoint (read by accounts/tests/test_permission_grid.py).

The playback grant is open to anyone; its own refusals (no entry consent, blocked
region) are tested in test_api.py.
"""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/rooms/{slug}/playback"): "anon",
    ("GET", "/api/v1/streaming/mine"): Perm.STREAM_MANAGE,
    ("POST", "/api/v1/streaming/mine/key"): Perm.STREAM_MANAGE,
    ("GET", "/api/v1/streaming/mine/health"): Perm.STREAM_MANAGE,
    ("GET", "/api/v1/staff/streams"): Perm.STREAMS_READ_ANY,
}
