"""API schemas for the wallet.

Token amounts that move money (`amount` of a tip, `tokens` of a promotion) are whole numbers checked by the
service, so that every bad amount — "10", 10.0, 2.5, true, 0, -5, above the maximum, not a menu item's
price — is one mistake with one answer: 422 `wallet.invalid_amount` (`extra`: minimum, maximum).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt, WithJsonSchema

TokenAmount = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})]
OptionalTokenAmount = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]})]


class PackageOut(Schema):
    id: str
    name: str
    tokens: int
    price_minor: int
    currency: str
    active: bool
    position: int


class PackageIn(Schema):
    name: str = Field(max_length=60)
    tokens: StrictInt
    price_minor: StrictInt
    currency: str = Field(default="USD", max_length=3)
    position: StrictInt = 0
    active: StrictBool = True


class PackagePatch(Schema):
    name: str | None = Field(default=None, max_length=60)
    tokens: StrictInt | None = None
    price_minor: StrictInt | None = None
    currency: str | None = Field(default=None, max_length=3)
    position: StrictInt | None = None
    active: StrictBool | None = None


class WalletOut(Schema):
    balance: int
    purchases_locked: bool


class HistoryOut(Schema):
    entry_id: int
    at: datetime
    kind: str
    amount: int
    transfer_id: str
    tip_id: str | None
    purchase_id: str | None
    counterparty_id: str | None
    counterpart: str
    memo: str


class HistoryPageOut(Schema):
    items: list[HistoryOut]
    next_before_id: int | None = Field(description="Pass as `before_id` for the next page; null on the last page.")


class TipIn(Schema):
    performer_id: str = Field(max_length=26)
    amount: OptionalTokenAmount = None
    message: str = Field(default="", max_length=300)
    anonymous: StrictBool = False
    menu_item_id: str | None = Field(default=None, max_length=26)
    room_id: str = Field(default="", max_length=26)
    idempotency_key: str | None = Field(default=None, max_length=100)


class TipOut(Schema):
    id: str
    transfer_id: str
    performer_id: str
    amount: int
    performer_amount: int
    platform_amount: int
    message: str
    anonymous: bool
    menu_item_id: str | None
    created_at: datetime


class MenuItemIn(Schema):
    label: str = Field(max_length=80)
    price: StrictInt
    position: StrictInt | None = None


class MenuItemPatch(Schema):
    label: str | None = Field(default=None, max_length=80)
    price: StrictInt | None = None
    position: StrictInt | None = None
    active: StrictBool | None = None


class MenuItemOut(Schema):
    id: str
    label: str
    price: int
    position: int
    active: bool


class GoalIn(Schema):
    title: str = Field(max_length=120)
    target: StrictInt


class GoalOut(Schema):
    id: str
    title: str
    target: int
    status: str
    position: int
    started_at: datetime | None
    reached_at: datetime | None


class PanelMenuOut(Schema):
    id: str
    label: str
    price: int


class PanelGoalOut(Schema):
    id: str
    title: str
    target: int
    progress: int
    percent: int


class PanelNextGoalOut(Schema):
    id: str
    title: str
    target: int


class PanelTipOut(Schema):
    amount: int
    sender_name: str
    message: str
    created_at: datetime


class TipPanelOut(Schema):
    performer_id: str
    performer_login: str
    performer_name: str
    menu: list[PanelMenuOut]
    goal: PanelGoalOut | None
    next_goals: list[PanelNextGoalOut]
    recent_tips: list[PanelTipOut]


class EarningsOut(Schema):
    earned_total: int
    balance: int
    on_hold: int
    available: int
    hold_days: int
    payout_rate_minor: int
    currency: str
    balance_value_minor: int
    on_hold_value_minor: int
    available_value_minor: int


class DailyOut(Schema):
    day: date
    tokens: int
    tips: int
    value_minor: int


class StaffWalletOut(Schema):
    user_id: str
    login: str
    balance: int
    purchases_locked: bool
    history: list[HistoryOut]
    earnings: EarningsOut | None


class AccountOut(Schema):
    id: str
    kind: str
    balance: int


class ReasonIn(Schema):
    reason: str = Field(max_length=200)


class PromotionIn(Schema):
    user_id: str = Field(max_length=26)
    tokens: TokenAmount
    reason: str = Field(max_length=200)
    idempotency_key: str | None = Field(default=None, max_length=100)


class TransferOut(Schema):
    id: str
    kind: str
    created_at: datetime


class TermsIn(Schema):
    share_bp: StrictInt


class TermsOut(Schema):
    performer_id: str
    share_bp: int


class CommissionRuleIn(Schema):
    kind: str = Field(max_length=24)
    share_bp: StrictInt
    product: str = Field(default="", max_length=12)
    min_earned: StrictInt | None = None
    new_within_days: StrictInt | None = None
    performer_id: str | None = Field(default=None, max_length=26)
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    note: str = Field(default="", max_length=200)


class CommissionRuleEndIn(Schema):
    valid_to: datetime | None = None


class CommissionRuleOut(Schema):
    id: str
    kind: str
    share_bp: int
    product: str
    min_earned: int | None
    new_within_days: int | None
    performer_id: str | None
    valid_from: datetime
    valid_to: datetime | None
    note: str
    created_by_id: str | None
    created_at: datetime
