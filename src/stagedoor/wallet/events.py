"""Outbox topics the wallet publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class TipSent(TypedDict):
    tip_id: str
    transfer_id: str
    room_id: str | None
    performer_id: str
    performer_login: str
    sender_id: str
    # "Anonymous" for an anonymous tip; the sender's identity is then only in `sender_id`, for staff tools.
    sender_name: str
    anonymous: bool
    amount: int
    message: str
    menu_item_id: str | None
    menu_label: str | None
    created_at: str  # ISO 8601


class TipRefunded(TypedDict):
    tip_id: str
    amount: int
    sender_id: str
    performer_id: str


class NextGoal(TypedDict):
    goal_id: str
    title: str
    target: int


class TipGoalReached(TypedDict):
    performer_id: str
    goal_id: str
    title: str
    target: int
    next_goal: NextGoal | None


class TipPanelChanged(TypedDict):
    performer_id: str


class WalletCredited(TypedDict):
    user_id: str
    tokens: int
    purchase_id: str
    transfer_id: str


class PurchaseReversed(TypedDict):
    user_id: str
    purchase_id: str
    transfer_id: str  # the reversing transfer
    kind: str  # "purchase_refund" | "chargeback"


TIP_SENT: Topic[TipSent] = Topic("tip.sent")
TIP_REFUNDED: Topic[TipRefunded] = Topic("tip.refunded")
TIP_GOAL_REACHED: Topic[TipGoalReached] = Topic("tip_goal.reached")
TIP_PANEL_CHANGED: Topic[TipPanelChanged] = Topic("tip_panel.changed")
WALLET_CREDITED: Topic[WalletCredited] = Topic("wallet.credited")
# A credited purchase was refunded or charged back (affiliates void the commission it earned).
WALLET_PURCHASE_REVERSED: Topic[PurchaseReversed] = Topic("wallet.purchase_reversed")
