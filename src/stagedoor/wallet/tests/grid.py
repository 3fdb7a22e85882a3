"""Who may call each wallet endpoint. Read by accounts/tests/test_permission_grid.py."""

from stagedoor.accounts.roles import Perm

GRID: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/wallet/packages"): "anon",
    ("GET", "/api/v1/performers/{performer_id}/tip-panel"): "anon",
    ("GET", "/api/v1/me/wallet"): "auth",
    ("GET", "/api/v1/me/wallet/history"): "auth",
    ("POST", "/api/v1/tips"): Perm.TIP_SEND,
    ("GET", "/api/v1/tips/by-key/{idempotency_key}"): "auth",
    ("GET", "/api/v1/me/tip-menu"): Perm.TIP_PANEL_MANAGE,
    ("POST", "/api/v1/me/tip-menu"): Perm.TIP_PANEL_MANAGE,
    ("PATCH", "/api/v1/me/tip-menu/{item_id}"): Perm.TIP_PANEL_MANAGE,
    ("DELETE", "/api/v1/me/tip-menu/{item_id}"): Perm.TIP_PANEL_MANAGE,
    ("GET", "/api/v1/me/tip-goals"): Perm.TIP_PANEL_MANAGE,
    ("POST", "/api/v1/me/tip-goals"): Perm.TIP_PANEL_MANAGE,
    ("DELETE", "/api/v1/me/tip-goals/{goal_id}"): Perm.TIP_PANEL_MANAGE,
    ("GET", "/api/v1/me/earnings"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/me/earnings/daily"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/me/earnings.csv"): Perm.EARNINGS_READ,
    ("GET", "/api/v1/staff/wallet/packages"): Perm.PACKAGES_MANAGE,
    ("POST", "/api/v1/staff/wallet/packages"): Perm.PACKAGES_MANAGE,
    ("PATCH", "/api/v1/staff/wallet/packages/{package_id}"): Perm.PACKAGES_MANAGE,
    ("PUT", "/api/v1/staff/wallet/performers/{performer_id}/terms"): Perm.PACKAGES_MANAGE,
    ("GET", "/api/v1/staff/wallet/commission-rules"): Perm.PACKAGES_MANAGE,
    ("POST", "/api/v1/staff/wallet/commission-rules"): Perm.PACKAGES_MANAGE,
    ("POST", "/api/v1/staff/wallet/commission-rules/{rule_id}/end"): Perm.PACKAGES_MANAGE,
    ("GET", "/api/v1/staff/wallet/users/{user_id}"): Perm.WALLET_READ_ANY,
    ("GET", "/api/v1/staff/ledger/accounts"): Perm.LEDGER_READ,
    ("POST", "/api/v1/staff/wallet/tips/{tip_id}/refund"): Perm.MONEY_REFUND,
    ("POST", "/api/v1/staff/wallet/promotions"): Perm.PROMO_GRANT,
}
