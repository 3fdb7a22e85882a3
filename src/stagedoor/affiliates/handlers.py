"""Affiliates react to the wallet: a credited purchase earns its buyer's referrer a commission; a refunded or
charged-back purchase voids it (and a chargeback holds the referral). Idempotent: the outbox delivers each event to
each handler once, and the commission is unique per purchase and keyed in the ledger."""

from __future__ import annotations

from stagedoor.affiliates import services
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.wallet.events import WALLET_CREDITED, WALLET_PURCHASE_REVERSED, PurchaseReversed, WalletCredited


@outbox_handler(WALLET_CREDITED, name="affiliates.commission_on_purchase")
def commission_on_purchase(event: OutboxEvent, payload: WalletCredited) -> None:
    services.commission_on_purchase(
        user_id=payload["user_id"],
        purchase_id=payload["purchase_id"],
        tokens=int(payload["tokens"]),
        transfer_id=payload["transfer_id"],
        at=event.created_at,
    )


@outbox_handler(WALLET_PURCHASE_REVERSED, name="affiliates.purchase_reversed")
def purchase_reversed(event: OutboxEvent, payload: PurchaseReversed) -> None:
    services.purchase_reversal_apply(
        user_id=payload["user_id"], purchase_id=payload["purchase_id"], kind=payload["kind"]
    )
