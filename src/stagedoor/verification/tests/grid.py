"""Who may call each verification endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/performer-applications"): Perm.PERFORMER_APPLY,
    ("GET", "/api/v1/me/performer-application"): "auth",
    ("POST", "/api/v1/me/performer-application/restart"): "auth",
    ("GET", "/api/v1/me/verification"): "auth",
    ("POST", "/api/v1/me/verification"): "auth",
    ("POST", "/api/v1/me/verifications/{verification_id}/retry"): "auth",
    ("POST", "/api/v1/me/verifications/{verification_id}/submit"): "auth",
    ("POST", "/api/v1/verification/webhooks/{vendor}"): "anon",
    ("GET", "/api/v1/me/coperformers"): Perm.COPERFORMERS_MANAGE,
    ("POST", "/api/v1/me/coperformers"): Perm.COPERFORMERS_MANAGE,
    ("POST", "/api/v1/me/coperformers/{coperformer_id}/declare"): Perm.COPERFORMERS_MANAGE,
    ("GET", "/api/v1/age-assurance"): "anon",
    ("GET", "/api/v1/staff/performer-applications"): Perm.PERFORMER_REVIEW,
    ("POST", "/api/v1/staff/performer-applications/{application_id}/decision"): Perm.PERFORMER_REVIEW,
    ("GET", "/api/v1/staff/verification/users/{user_id}"): Perm.VERIFICATION_STATUS_READ,
    ("POST", "/api/v1/staff/verification/users/{user_id}/reverification"): Perm.PERFORMER_REVIEW,
    ("GET", "/api/v1/staff/verification/records"): Perm.RECORDS_EXPORT,
    ("GET", "/api/v1/staff/broadcasts"): Perm.VERIFICATION_STATUS_READ,
    ("GET", "/api/v1/staff/age-policies"): Perm.AGE_POLICY_MANAGE,
    ("PUT", "/api/v1/staff/age-policies/{region}"): Perm.AGE_POLICY_MANAGE,
    ("POST", "/api/v1/staff/recoveries"): Perm.RECOVERY_START,
}
