"""Charges and holds: what shows, fan clubs and paid messages pay with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.core.errors import IdempotencyConflict
from stagedoor.wallet import errors, ledger, selectors, services
from stagedoor.wallet.models import AccountKind, LedgerTransfer, TransferKind
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


def holds_balance() -> int:
    return ledger.account_balance(ledger.system_account(AccountKind.HOLDS))


def test_a_charge_splits_like_a_tip_and_replays_by_key(make_user: Callable[..., Any]) -> None:
    viewer, performer = make_user(), make_user(role="performer")
    fund_wallet(viewer, 100)
    paid = services.charge(payer=viewer, payee=performer, amount=30, key="show:p1:1", item="show_minute", ref="p1")
    assert paid.written and paid.amount == 30
    assert paid.performer_amount + paid.platform_amount == 30 and paid.performer_amount > 0
    assert selectors.wallet_balance(viewer) == 70
    assert selectors.earnings_of(performer).balance == paid.performer_amount
    again = services.charge(payer=viewer, payee=performer, amount=30, key="show:p1:1", item="show_minute", ref="p1")
    assert not again.written and again.transfer.pk == paid.transfer.pk
    assert selectors.wallet_balance(viewer) == 70
    with pytest.raises(IdempotencyConflict):
        services.charge(payer=viewer, payee=performer, amount=31, key="show:p1:1", item="show_minute", ref="p1")
    assert paid.transfer.kind == TransferKind.CHARGE and paid.transfer.data["item"] == "show_minute"
    assert ledger_problems() == []


def test_a_short_wallet_is_refused_and_leaves_the_key_unused(make_user: Callable[..., Any]) -> None:
    viewer, performer = make_user(), make_user(role="performer")
    fund_wallet(viewer, 10)
    with pytest.raises(errors.InsufficientBalance):
        services.charge(payer=viewer, payee=performer, amount=11, key="fan:m1:2", item="fanclub", ref="m1")
    assert not LedgerTransfer.objects.filter(idempotency_key="fan:m1:2").exists()
    assert selectors.wallet_balance(viewer) == 10
    fund_wallet(viewer, 5)
    assert services.charge(payer=viewer, payee=performer, amount=11, key="fan:m1:2", item="fanclub", ref="m1").written


def test_charges_refuse_non_performers_and_oneself(make_user: Callable[..., Any]) -> None:
    viewer, other = make_user(), make_user()
    performer = make_user(role="performer")
    fund_wallet(viewer, 50)
    fund_wallet(performer, 50)
    with pytest.raises(errors.NotAPerformer):
        services.charge(payer=viewer, payee=other, amount=5, key="x:1:1", item="pm", ref="1")
    with pytest.raises(errors.TipToSelf):
        services.charge(payer=performer, payee=performer, amount=5, key="x:1:2", item="pm", ref="2")
    unverified = make_user(role="performer", verified=False)
    with pytest.raises(errors.PayeeRefused):
        services.hold_place(payer=viewer, payee=unverified, amount=5, key="x:1:3", item="show", ref="3")
    assert selectors.wallet_balance(viewer) == 50


def test_a_hold_is_captured_or_released_once(make_user: Callable[..., Any]) -> None:
    viewer, performer = make_user(), make_user(role="performer")
    fund_wallet(viewer, 100)
    first = services.hold_place(payer=viewer, payee=performer, amount=40, key="hold:a", item="show", ref="a")
    second = services.hold_place(payer=viewer, payee=performer, amount=25, key="hold:b", item="ticket", ref="b")
    assert selectors.wallet_balance(viewer) == 35 and holds_balance() == 65

    captured = services.hold_settle(hold=first.transfer, capture=30)
    assert captured.transfer.kind == TransferKind.HOLD_CAPTURE
    assert captured.amount == 30 and captured.transfer.data["released"] == 10
    assert selectors.wallet_balance(viewer) == 45  # the 10 not captured came back
    assert selectors.earnings_of(performer).balance == captured.performer_amount
    # The same settle again replays; a different one (a release racing the capture) is refused.
    assert not services.hold_settle(hold=first.transfer, capture=30).written
    with pytest.raises(IdempotencyConflict):
        services.hold_settle(hold=first.transfer, capture=0)

    released = services.hold_settle(hold=second.transfer, capture=0)
    assert released.transfer.kind == TransferKind.HOLD_RELEASE and released.amount == 0
    assert selectors.wallet_balance(viewer) == 70 and holds_balance() == 0
    with pytest.raises(errors.InvalidAmount):
        services.hold_settle(hold=second.transfer, capture=26)
    assert ledger_problems() == []


def test_verify_reports_a_hold_moved_wrongly(make_user: Callable[..., Any]) -> None:
    """A hold whose entries do not move what it says (written around the service) is reported."""
    viewer, performer = make_user(), make_user(role="performer")
    fund_wallet(viewer, 100)
    wallet, holds = ledger.accounts_for([(AccountKind.VIEWER_WALLET, viewer.pk), (AccountKind.HOLDS, None)])
    ledger.transfer_create(
        kind=TransferKind.HOLD,
        key="hold:bad",
        digest="0" * 64,
        legs=[ledger.Leg(wallet, -7), ledger.Leg(holds, 7)],
        data={"amount": 10, "payer": viewer.pk, "performer": performer.pk},
    )
    problems = ledger_problems()
    assert any("holds 10 but moved 7" in p for p in problems)
    assert any("open holds sum to 10" in p for p in problems)
