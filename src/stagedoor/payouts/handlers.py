"""Outbox handlers of payouts (registered from apps.ready): mail the performer when their payout details change,
and screen a performer's legal name against the sanctions list once their identity is approved."""

from __future__ import annotations

from stagedoor.accounts.models import User
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.payouts.events import PAYOUT_METHOD_CHANGED, PayoutMethodChanged
from stagedoor.payouts.models import PayoutMethod
from stagedoor.payouts.selectors import current_sanctions_list
from stagedoor.payouts.services import payout_method_changed_during_run, payout_method_notify, performer_screen
from stagedoor.verification.events import VERIFICATION_DECIDED, VerificationDecided


@outbox_handler(PAYOUT_METHOD_CHANGED, name="payouts.notify_method_changed")
def notify_method_changed(event: OutboxEvent, payload: PayoutMethodChanged) -> None:
    payout_method_notify(method_id=payload["method_id"])
    method = PayoutMethod.objects.select_related("performer").filter(pk=payload["method_id"]).first()
    if method is not None and method.performer.email:
        payout_method_changed_during_run(performer=method.performer, method=method)


@outbox_handler(VERIFICATION_DECIDED, name="payouts.screen_verified")
def screen_verified(event: OutboxEvent, payload: VerificationDecided) -> None:
    if payload["status"] != "approved" or not payload["user_id"]:
        return
    listing = current_sanctions_list()
    if listing is None:
        return  # nothing loaded yet: the first payout-details change loads the list and screens
    performer = User.objects.filter(pk=payload["user_id"]).first()
    if performer is not None:
        performer_screen(performer, sanctions_list=listing)
