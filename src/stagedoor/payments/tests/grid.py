"""Who may call each payments endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/payments/providers"): "anon",
    ("GET", "/api/v1/payments/postback/{provider}"): "anon",
    ("POST", "/api/v1/payments/postback/{provider}"): "anon",
    ("POST", "/api/v1/purchases"): Perm.TOKENS_BUY,
    ("GET", "/api/v1/purchases"): "auth",
    ("GET", "/api/v1/purchases/by-key/{idempotency_key}"): "auth",
    ("GET", "/api/v1/purchases/{purchase_id}"): "auth",
    ("POST", "/api/v1/staff/purchases/{purchase_id}/refund"): Perm.MONEY_REFUND,
    ("GET", "/api/v1/staff/postbacks"): Perm.LEDGER_READ,
}
