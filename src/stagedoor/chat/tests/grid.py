# Who may call each chat endpoint (see accounts/tests/test_permission_grid.py). "auth"
# endpoints check room-level rights inside (performer, its chat hosts, platform
# moderators): that grid is test_api.py's (test_ticket_permission_grid).
GRID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/chat/rooms/{slug}/ticket"): "anon",
    ("GET", "/api/v1/chat/rooms/{slug}/messages"): "anon",
    ("POST", "/api/v1/chat/rooms/{slug}/moderation"): "auth",
    ("POST", "/api/v1/chat/rooms/{slug}/hosts"): "auth",
    ("DELETE", "/api/v1/chat/rooms/{slug}/hosts/{user_id}"): "auth",
    ("PUT", "/api/v1/chat/rooms/{slug}/words"): "auth",
    ("GET", "/api/v1/chat/rooms/{slug}/held"): "auth",
    ("POST", "/api/v1/chat/rooms/{slug}/held/{message_id}"): "auth",
}
