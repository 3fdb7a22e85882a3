"""Who may call each fans endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/fans/clubs/{performer_id}"): "anon",
    ("GET", "/api/v1/fans/club"): Perm.FANCLUB_MANAGE,
    ("PUT", "/api/v1/fans/club"): Perm.FANCLUB_MANAGE,
    ("POST", "/api/v1/fans/clubs/{performer_id}/join"): Perm.FANCLUB_JOIN,
    ("POST", "/api/v1/fans/clubs/{performer_id}/cancel"): Perm.FANCLUB_JOIN,
    ("GET", "/api/v1/fans/memberships"): "auth",
    # members in good standing, the performer and staff: checked inside (test_api.py)
    ("GET", "/api/v1/fans/clubs/{performer_id}/posts"): "auth",
    ("POST", "/api/v1/fans/posts"): Perm.FANCLUB_MANAGE,
    # the post's performer or staff: checked inside
    ("DELETE", "/api/v1/fans/posts/{post_id}"): "auth",
    ("POST", "/api/v1/fans/media"): Perm.FANCLUB_MANAGE,
    ("GET", "/api/v1/fans/threads"): Perm.MESSAGES_SEND,
    ("GET", "/api/v1/fans/threads/{thread_id}"): Perm.MESSAGES_SEND,
    ("POST", "/api/v1/fans/messages"): Perm.MESSAGES_SEND,
    ("POST", "/api/v1/fans/messages/{message_id}/unlock"): Perm.MESSAGES_SEND,
}
