"""Every write to the wallet. Keyword-only, atomic, idempotent where money moves."""

from stagedoor.wallet.ledger import check_client_key, client_key_from, request_hash
from stagedoor.wallet.services.catalog import (
    package_create,
    package_update,
    tip_goal_cancel,
    tip_goal_create,
    tip_goal_move,
    tip_goal_progress_check,
    tip_goal_update,
    tip_menu_item_create,
    tip_menu_item_delete,
    tip_menu_item_move,
    tip_menu_item_update,
)
from stagedoor.wallet.services.charges import Paid, charge, hold_place, hold_settle
from stagedoor.wallet.services.commission import (
    commission_rule_create,
    commission_rule_end,
    commission_tiers_compute,
    performer_terms_set,
)
from stagedoor.wallet.services.money import (
    ChargebackOutcome,
    affiliate_commission_accrue,
    affiliate_commission_reverse,
    promotion_grant,
    purchase_chargeback,
    purchase_credit,
    purchase_refund,
)
from stagedoor.wallet.services.payouts import (
    PayoutMove,
    PayoutSettle,
    earnings_lock,
    payout_cancel,
    payout_post,
    payout_settle,
    reserve_release,
)
from stagedoor.wallet.services.tips import performer_share_bp, tip_refund, tip_send

__all__ = [
    "ChargebackOutcome",
    "Paid",
    "PayoutMove",
    "PayoutSettle",
    "affiliate_commission_accrue",
    "affiliate_commission_reverse",
    "charge",
    "check_client_key",
    "client_key_from",
    "commission_rule_create",
    "commission_rule_end",
    "commission_tiers_compute",
    "earnings_lock",
    "hold_place",
    "hold_settle",
    "package_create",
    "package_update",
    "payout_cancel",
    "payout_post",
    "payout_settle",
    "performer_share_bp",
    "performer_terms_set",
    "promotion_grant",
    "purchase_chargeback",
    "purchase_credit",
    "purchase_refund",
    "request_hash",
    "reserve_release",
    "tip_goal_cancel",
    "tip_goal_create",
    "tip_goal_move",
    "tip_goal_progress_check",
    "tip_goal_update",
    "tip_menu_item_create",
    "tip_menu_item_delete",
    "tip_menu_item_move",
    "tip_menu_item_update",
    "tip_refund",
    "tip_send",
]
