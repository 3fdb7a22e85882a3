"""Who may call each support endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    # guests open tickets with an e-mail address; signed-in people with their account
    ("POST", "/api/v1/support/tickets"): "anon",
    ("GET", "/api/v1/support/tickets"): "auth",
    # the requester or an agent of the ticket's queue: checked inside (test_api.py)
    ("GET", "/api/v1/support/tickets/{ticket_id}"): "auth",
    ("POST", "/api/v1/support/tickets/{ticket_id}/messages"): "auth",
    ("GET", "/api/v1/support/queue"): Perm.SUPPORT_AGENT,
    ("POST", "/api/v1/support/tickets/{ticket_id}/lock"): Perm.SUPPORT_AGENT,
    ("POST", "/api/v1/support/tickets/{ticket_id}/escalate"): Perm.SUPPORT_AGENT,
    ("POST", "/api/v1/support/tickets/{ticket_id}/assign"): Perm.SUPPORT_AGENT,
    ("POST", "/api/v1/support/tickets/{ticket_id}/resolve"): Perm.SUPPORT_AGENT,
    ("POST", "/api/v1/support/tickets/{ticket_id}/macros/{macro_id}"): Perm.SUPPORT_AGENT,
    ("GET", "/api/v1/support/tickets/{ticket_id}/suggestions"): Perm.SUPPORT_AGENT,
    ("GET", "/api/v1/support/people/{user_id}/timeline"): Perm.SUPPORT_AGENT,
    ("GET", "/api/v1/support/csat"): Perm.SUPPORT_MANAGE,
    ("GET", "/api/v1/support/articles"): "anon",
    ("GET", "/api/v1/support/articles/{slug}"): "anon",
    # the signed link in the closing mail is the credential
    ("POST", "/api/v1/support/surveys/{token}"): "anon",
    ("GET", "/api/v1/support/onboarding"): Perm.ROOM_MANAGE,
    # Mailgun's signature is the credential (test_inbound.py)
    ("POST", "/api/v1/support/inbound/mailgun"): "anon",
}
