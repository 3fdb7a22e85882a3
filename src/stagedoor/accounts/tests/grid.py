"""Who may call each accounts endpoint. Read by test_permission_grid.

Access: "anon" (anyone), "auth" (any signed-in user), or a permission from `roles.Perm`.
"""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/signup"): "anon",
    ("POST", "/api/v1/auth/login"): "anon",
    ("POST", "/api/v1/auth/password-reset"): "anon",
    ("POST", "/api/v1/auth/password-reset/confirm"): "anon",
    ("POST", "/api/v1/consent"): "anon",
    ("POST", "/api/v1/auth/logout"): "auth",
    ("GET", "/api/v1/me"): "auth",
    ("PATCH", "/api/v1/me"): "auth",
    ("POST", "/api/v1/me/mfa/setup"): "auth",
    ("POST", "/api/v1/me/mfa/confirm"): "auth",
    ("POST", "/api/v1/me/mfa/disable"): "auth",
    ("POST", "/api/v1/me/mfa/recovery-codes"): "auth",
    ("GET", "/api/v1/me/tokens"): "auth",
    ("POST", "/api/v1/me/tokens"): "auth",
    ("DELETE", "/api/v1/me/tokens/{token_id}"): "auth",
    ("POST", "/api/v1/me/password"): "auth",
    ("POST", "/api/v1/auth/passkey/options"): "anon",
    ("POST", "/api/v1/auth/passkey/verify"): "anon",
    ("GET", "/api/v1/me/passkeys"): "auth",
    ("POST", "/api/v1/me/passkeys/options"): "auth",
    ("POST", "/api/v1/me/passkeys"): "auth",
    ("DELETE", "/api/v1/me/passkeys/{passkey_id}"): "auth",
    ("GET", "/api/v1/me/sessions"): "auth",
    ("DELETE", "/api/v1/me/sessions/{session_id}"): "auth",
    ("GET", "/api/v1/staff/users"): Perm.USERS_READ,
    ("GET", "/api/v1/staff/users/{user_id}"): Perm.USERS_READ,
    ("POST", "/api/v1/staff/users/{user_id}/unlock"): Perm.USERS_UNLOCK,
    ("POST", "/api/v1/staff/users/{user_id}/role"): Perm.USERS_SET_ROLE,
    ("GET", "/api/v1/staff/audit"): Perm.AUDIT_READ,
}
