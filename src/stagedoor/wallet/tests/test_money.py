"""Refunds, chargebacks under both policies, promotions, affiliate payables, earnings and holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.wallet import errors, selectors, services
from stagedoor.wallet.models import LedgerEntry, LedgerTransfer, Tip, TipReversal
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


def system(kind: str) -> int:
    return dict((a.kind, b) for a, b in selectors.system_balances()).get(kind, 0)


@pytest.fixture
def scene(make_user: Callable[..., Any]) -> tuple[Any, Any, str]:
    performer = make_user("performer")
    viewer = make_user("viewer")
    pid = fund_wallet(viewer, 100)
    return viewer, performer, pid


def test_purchase_refund_takes_back_unspent_tokens_once(
    scene: tuple[Any, Any, str], make_user: Callable[..., Any], balance: Callable[[Any], int]
) -> None:
    viewer, _performer, pid = scene
    finance = make_user("finance")
    services.purchase_refund(purchase_id=pid, buyer=viewer, actor=finance, reason="asked nicely")
    services.purchase_refund(purchase_id=pid, buyer=viewer, actor=finance, reason="asked nicely")
    assert balance(viewer) == 0
    assert system("purchase_clearing") == 0
    with pytest.raises(errors.AlreadyReversed):
        services.purchase_chargeback(purchase_id=pid, buyer=viewer, reason="late dispute")
    assert AuditEntry.objects.filter(action="wallet.purchase_refunded").count() == 1
    assert ledger_problems() == []


def test_purchase_refund_refused_when_tokens_spent(
    scene: tuple[Any, Any, str], make_user: Callable[..., Any], balance: Callable[[Any], int]
) -> None:
    viewer, performer, pid = scene
    services.tip_send(sender=viewer, performer=performer, amount=30, idempotency_key="spent-some-01")
    with pytest.raises(errors.TokensAlreadySpent):
        services.purchase_refund(purchase_id=pid, buyer=viewer, actor=make_user("finance"), reason="x")
    assert balance(viewer) == 70
    assert not LedgerTransfer.objects.filter(kind="purchase_refund").exists()


def test_chargeback_platform_absorbs(
    scene: tuple[Any, Any, str], balance: Callable[[Any], int], earnings_balance: Callable[[Any], int], settings: Any
) -> None:
    settings.STAGEDOOR_WALLET_CHARGEBACK_POLICY = "platform_absorbs"
    viewer, performer, pid = scene
    services.tip_send(sender=viewer, performer=performer, amount=30, idempotency_key="before-cb-01")
    outcome = services.purchase_chargeback(purchase_id=pid, buyer=viewer, reason="fraud")
    assert (outcome.recovered_from_wallet, outcome.clawed_back, outcome.written_off) == (70, 0, 30)
    assert balance(viewer) == 0
    assert earnings_balance(performer) == 15  # the performer keeps the tip
    assert system("chargeback_losses") == -30
    assert system("purchase_clearing") == 0
    again = services.purchase_chargeback(purchase_id=pid, buyer=viewer, reason="fraud")
    assert again.transfer.pk == outcome.transfer.pk
    assert ledger_problems() == []


def test_chargeback_claws_back_earnings_on_hold(
    scene: tuple[Any, Any, str],
    make_user: Callable[..., Any],
    balance: Callable[[Any], int],
    earnings_balance: Callable[[Any], int],
    settings: Any,
) -> None:
    settings.STAGEDOOR_WALLET_CHARGEBACK_POLICY = "clawback"
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 5000
    viewer, performer, pid = scene
    other = make_user("performer")
    services.tip_send(sender=viewer, performer=performer, amount=40, idempotency_key="claw-tip-001")
    services.tip_send(sender=viewer, performer=other, amount=50, idempotency_key="claw-tip-002")
    outcome = services.purchase_chargeback(purchase_id=pid, buyer=viewer, reason="stolen card")
    assert (outcome.recovered_from_wallet, outcome.clawed_back, outcome.written_off) == (10, 90, 0)
    assert earnings_balance(performer) == 0 and earnings_balance(other) == 0
    assert system("platform_revenue") == 0
    assert system("chargeback_losses") == 0
    assert TipReversal.objects.filter(kind="clawback").count() == 2
    assert ledger_problems() == []


def test_clawback_only_inside_hold_window(
    scene: tuple[Any, Any, str], balance: Callable[[Any], int], earnings_balance: Callable[[Any], int], settings: Any
) -> None:
    settings.STAGEDOOR_WALLET_CHARGEBACK_POLICY = "clawback"
    viewer, performer, pid = scene
    services.tip_send(sender=viewer, performer=performer, amount=100, idempotency_key="old-tip-0001")
    # With a zero-day hold the tip's earnings are already available: nothing is on hold to claw back.
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 0
    outcome = services.purchase_chargeback(purchase_id=pid, buyer=viewer, reason="late")
    assert (outcome.recovered_from_wallet, outcome.clawed_back, outcome.written_off) == (0, 0, 100)
    assert earnings_balance(performer) == 50
    assert ledger_problems() == []


def test_promotion_grant_is_idempotent_and_audited(
    make_user: Callable[..., Any], balance: Callable[[Any], int]
) -> None:
    finance = make_user("finance")
    viewer = make_user("viewer")
    services.promotion_grant(actor=finance, user=viewer, tokens=25, reason="welcome", idempotency_key="promo-0001")
    services.promotion_grant(actor=finance, user=viewer, tokens=25, reason="welcome", idempotency_key="promo-0001")
    assert balance(viewer) == 25
    assert system("promotions") == -25
    assert AuditEntry.objects.filter(action="wallet.promotion_granted").count() == 1


def test_affiliate_commission_moves_revenue_to_payables(
    scene: tuple[Any, Any, str], make_user: Callable[..., Any]
) -> None:
    viewer, performer, _ = scene
    services.tip_send(sender=viewer, performer=performer, amount=20, idempotency_key="aff-source-1")
    affiliate = make_user("viewer")
    services.affiliate_commission_accrue(
        affiliate=affiliate, tokens=3, source="signup", idempotency_key="aff-commission-1"
    )
    assert system("platform_revenue") == 7
    assert selectors.balance_of(selectors.account_of(affiliate, "affiliate_payables")) == 3
    assert ledger_problems() == []


def test_earnings_hold_available_daily_and_csv(scene: tuple[Any, Any, str], settings: Any) -> None:
    settings.STAGEDOOR_WALLET_PAYOUT_RATE_MINOR = 10
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 7
    viewer, performer, _ = scene
    services.tip_send(sender=viewer, performer=performer, amount=40, message="=cmd()", idempotency_key="earn-tip-001")
    services.tip_send(sender=viewer, performer=performer, amount=20, anonymous=True, idempotency_key="earn-tip-002")
    e = selectors.earnings_of(performer)
    assert (e.earned_total, e.balance, e.on_hold, e.available) == (30, 30, 30, 0)
    assert e.balance_value_minor == 300 and e.currency == "USD"
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 0
    e = selectors.earnings_of(performer)
    assert (e.on_hold, e.available) == (0, 30)
    daily = selectors.earnings_daily(performer)
    assert [(d.day, d.tokens, d.tips, d.value_minor) for d in daily] == [(timezone.now().date(), 30, 2, 300)]
    from stagedoor.wallet.api import earnings_csv_response

    rows = list(csv.reader(io.StringIO(earnings_csv_response(performer, days=30).content.decode())))
    assert rows[0] == [
        "time_utc",
        "transfer_id",
        "kind",
        "tokens",
        "value_minor",
        "currency",
        "from",
        "message",
        "tip_id",
    ]
    tip_ids = list(Tip.objects.order_by("-created_at", "-id").values_list("id", flat=True))
    assert [(r[2], r[3], r[4], r[6], r[7], r[8]) for r in rows[1:]] == [
        ("tip", "10", "100", "Anonymous", "", tip_ids[0]),
        ("tip", "20", "200", viewer.shown_name, "'=cmd()", tip_ids[1]),
    ]


def test_entries_carry_the_transfer_time(scene: tuple[Any, Any, str]) -> None:
    viewer, performer, _ = scene
    tip = services.tip_send(sender=viewer, performer=performer, amount=4, idempotency_key="time-tip-001")
    times = set(LedgerEntry.objects.filter(transfer_id=tip.transfer_id).values_list("created_at", flat=True))
    assert times == {tip.created_at}
    assert abs(tip.created_at - timezone.now()) < timedelta(seconds=5)
