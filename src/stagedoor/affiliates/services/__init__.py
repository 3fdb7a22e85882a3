"""Every write of affiliates. Keyword-only, atomic; money only through the wallet's idempotent services."""

from stagedoor.affiliates.services.accounts import (
    affiliate_create,
    affiliate_postback_set,
    affiliate_update,
    link_create,
    performer_referrals_open,
    plan_create,
)
from stagedoor.affiliates.services.callbacks import CallbackResult, callback_receive
from stagedoor.affiliates.services.clicks import (
    ClickOutcome,
    Visit,
    click_from_cookie,
    click_record,
    referral_attribute,
)
from stagedoor.affiliates.services.commissions import (
    add_months,
    commission_hold,
    commission_on_purchase,
    commission_release,
    commission_void,
    purchase_reversal_apply,
    referrals_hold,
)
from stagedoor.affiliates.services.postbacks import (
    backoff_seconds,
    postback_deliver,
    postback_queue,
    postbacks_run_due,
)

__all__ = [
    "CallbackResult",
    "ClickOutcome",
    "Visit",
    "add_months",
    "affiliate_create",
    "affiliate_postback_set",
    "affiliate_update",
    "backoff_seconds",
    "callback_receive",
    "click_from_cookie",
    "click_record",
    "commission_hold",
    "commission_on_purchase",
    "commission_release",
    "commission_void",
    "link_create",
    "performer_referrals_open",
    "plan_create",
    "postback_deliver",
    "postback_queue",
    "postbacks_run_due",
    "purchase_reversal_apply",
    "referral_attribute",
    "referrals_hold",
]
