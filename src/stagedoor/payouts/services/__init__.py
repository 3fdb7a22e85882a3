"""Every write of payouts: payout methods (versioned, in the performer's own name), sanctions screening, payout
runs (computed, reviewed, approved, sent, cancelled) and their reconciliation."""

from stagedoor.payouts.services.methods import payout_method_notify, payout_method_set
from stagedoor.payouts.services.runs import (
    payout_item_review,
    payout_run_approve,
    payout_run_cancel,
    payout_run_create,
    payout_run_send,
    period_of,
    reserves_release_due,
)
from stagedoor.payouts.services.sanctions import (
    LoadResult,
    performer_screen,
    sanctions_ensure_list,
    sanctions_list_load,
    sanctions_screen_everyone,
    screening_case_decide,
)
from stagedoor.payouts.services.settle import (
    SettleResult,
    crypto_payouts_poll,
    items_settle,
    payout_items_mark,
    payout_method_changed_during_run,
    payout_report_apply,
    run_close_if_done,
)

__all__ = [
    "LoadResult",
    "SettleResult",
    "crypto_payouts_poll",
    "items_settle",
    "payout_item_review",
    "payout_items_mark",
    "payout_method_changed_during_run",
    "payout_method_notify",
    "payout_method_set",
    "payout_report_apply",
    "payout_run_approve",
    "payout_run_cancel",
    "payout_run_create",
    "payout_run_send",
    "performer_screen",
    "period_of",
    "reserves_release_due",
    "run_close_if_done",
    "sanctions_ensure_list",
    "sanctions_list_load",
    "sanctions_screen_everyone",
    "screening_case_decide",
]
