"""Who may call each moderation endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/moderation/reports"): "auth",
    ("GET", "/api/v1/moderation/reports"): "auth",
    ("GET", "/api/v1/moderation/decisions"): "auth",
    ("POST", "/api/v1/moderation/decisions/{decision_id}/appeal"): "auth",
    ("GET", "/api/v1/moderation/cases"): Perm.MODERATION_REVIEW,
    ("GET", "/api/v1/moderation/cases/{case_id}"): Perm.MODERATION_REVIEW,
    ("POST", "/api/v1/moderation/cases/{case_id}/claim"): Perm.MODERATION_REVIEW,
    ("POST", "/api/v1/moderation/cases/{case_id}/release"): Perm.MODERATION_REVIEW,
    ("POST", "/api/v1/moderation/cases/{case_id}/decide"): Perm.MODERATION_REVIEW,
    ("POST", "/api/v1/moderation/cases/bulk-decide"): Perm.MODERATION_REVIEW,
    ("POST", "/api/v1/moderation/appeals/{appeal_id}/decide"): Perm.MODERATION_REVIEW,
    # the room's performer or a supervisor: checked inside (test_room_chat_policy.py); others get 403
    ("PUT", "/api/v1/rooms/{slug}/chat-policy"): "auth",
    ("GET", "/api/v1/moderation/transparency"): Perm.TRANSPARENCY_READ,
    ("GET", "/api/v1/moderation/transparency/statements"): Perm.TRANSPARENCY_READ,
}
