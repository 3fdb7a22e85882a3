"""The roll-ups against the ledger itself: random activity through the real wallet services, then every daily
sum equals a direct SUM over the entries; replays fold nothing twice; the live tail fills in what is not
folded yet."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.analytics import selectors, services
from stagedoor.analytics.models import LedgerDaily, PlatformDaily, Product, SalesDaily, SupportDaily
from stagedoor.analytics.services import rollup
from stagedoor.core.ids import new_id
from stagedoor.wallet import errors
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import LedgerEntry, LedgerTransfer, Tip
from stagedoor.wallet.tests.conftest import ledger_problems

pytestmark = pytest.mark.django_db


def _activity(make_user: Any, seed: int = 7, steps: int = 60) -> tuple[list[Any], list[Any]]:
    rng = random.Random(seed)
    performers = [make_user("performer") for _ in range(3)]
    viewers = [make_user("viewer") for _ in range(4)]
    purchases: list[tuple[Any, str]] = []
    for step in range(steps):
        viewer = rng.choice(viewers)
        performer = rng.choice(performers)
        action = rng.random()
        try:
            if action < 0.25:
                pid = new_id()
                wallet.purchase_credit(
                    buyer=viewer,
                    tokens=rng.choice([50, 100, 200]),
                    purchase_id=pid,
                    price_minor=rng.choice([499, 999]),
                    currency=rng.choice(["USD", "EUR"]),
                    provider=rng.choice(["sandbox", "ccbill"]),
                )
                purchases.append((viewer, pid))
            elif action < 0.6:
                wallet.tip_send(
                    sender=viewer,
                    performer=performer,
                    amount=rng.randint(1, 40),
                    idempotency_key=f"tip-key-{step:04d}",
                    anonymous=rng.random() < 0.3,
                )
            elif action < 0.85:
                item = rng.choice(["show_minute", "fanclub", "message", "unlock"])
                wallet.charge(
                    payer=viewer, payee=performer, amount=rng.randint(1, 30), key=f"c-{step}", item=item, ref="x"
                )
            elif action < 0.95:
                hold = wallet.hold_place(
                    payer=viewer, payee=performer, amount=20, key=f"h-{step}", item="show_hold", ref="y"
                )
                wallet.hold_settle(hold=hold.transfer, capture=rng.choice([0, 10, 20]))
            elif purchases:
                buyer, pid = purchases.pop(rng.randrange(len(purchases)))
                wallet.purchase_chargeback(purchase_id=pid, buyer=buyer, reason="test")
        except (errors.InsufficientBalance, errors.TokensAlreadySpent, errors.AlreadyReversed):
            pass
    return performers, viewers


def _direct() -> dict[tuple[str, Any], tuple[int, int]]:
    rows = (
        LedgerEntry.objects.annotate(day=TruncDate("created_at"))
        .values("account_id", "day")
        .annotate(s=Sum("amount"), n=Count("id"))
    )
    return {(r["account_id"], r["day"]): (int(r["s"]), int(r["n"])) for r in rows}


def _rolled() -> dict[tuple[str, Any], tuple[int, int]]:
    rows = LedgerDaily.objects.values("account_id", "day").annotate(s=Sum("amount"), n=Sum("entries"))
    return {(r["account_id"], r["day"]): (int(r["s"]), int(r["n"])) for r in rows}


def test_rollup_equals_a_direct_sum_and_replays_fold_nothing_twice(make_user: Any) -> None:
    _activity(make_user)
    total = LedgerEntry.objects.count()
    assert total > 50
    # small batches: transfers split across passes
    assert services.ledger_rollup(batch=7, gap_grace=0) == total
    assert _rolled() == _direct()
    assert services.ledger_rollup(batch=7, gap_grace=0) == 0  # a replay folds nothing
    assert _rolled() == _direct()
    platform = dict(PlatformDaily.objects.values_list("account_kind").annotate(s=Sum("amount")))
    assert sum(platform.values()) == 0  # double entry: every kind together balances
    assert ledger_problems() == []

    # supporters: tips and charges and captures by payer, gross
    tips = Tip.objects.aggregate(s=Sum("amount"))["s"] or 0
    charged = sum(
        int(t["data"]["amount"])
        for t in LedgerEntry.objects.none()
        .model.transfer.field.related_model.objects.filter(kind__in=["charge", "hold_capture"])
        .values("data")
    )
    assert SupportDaily.objects.aggregate(s=Sum("amount"))["s"] == tips + charged
    anonymous = Tip.objects.filter(anonymous=True).aggregate(s=Sum("amount"))["s"] or 0
    assert (SupportDaily.objects.filter(anonymous=True).aggregate(s=Sum("amount"))["s"] or 0) == anonymous

    # sales by processor: purchases' tokens and money
    bought = LedgerTransfer.objects.filter(kind="purchase")
    assert SalesDaily.objects.aggregate(n=Sum("purchases"))["n"] == bought.count()
    assert SalesDaily.objects.aggregate(m=Sum("amount_minor"))["m"] == sum(int(t.data["price_minor"]) for t in bought)
    assert (SalesDaily.objects.aggregate(n=Sum("chargebacks"))["n"] or 0) == LedgerTransfer.objects.filter(
        kind="chargeback"
    ).count()


def test_more_activity_after_a_pass_is_folded_once_and_the_tail_is_live(make_user: Any) -> None:
    performer = make_user("performer")
    viewer = make_user("viewer")
    wallet.purchase_credit(
        buyer=viewer, tokens=100, purchase_id=new_id(), price_minor=999, currency="USD", provider="sandbox"
    )
    wallet.tip_send(sender=viewer, performer=performer, amount=10, idempotency_key="tip-key-a")
    services.ledger_rollup(gap_grace=0)
    wallet.tip_send(sender=viewer, performer=performer, amount=5, idempotency_key="tip-key-b", anonymous=True)
    # not folded yet: the dashboard adds the tail
    board = selectors.performer_dashboard(performer, days=30)
    tips = next(s for s in board.earnings if s.key == Product.TIPS)
    earned = sum(LedgerEntry.objects.filter(account__owner=performer).values_list("amount", flat=True))
    assert sum(tips.values) == earned
    assert {s.name: s.tokens for s in board.supporters} == {viewer.login: 10, "Anonymous": 5}
    assert board.payers[-1] == 1
    services.ledger_rollup(gap_grace=0)
    services.ledger_rollup(gap_grace=0)
    assert _rolled() == _direct()
    again = selectors.performer_dashboard(performer, days=30)
    assert again.earnings == board.earnings and again.supporters == board.supporters


def test_a_hole_in_the_ids_waits_while_young(make_user: Any) -> None:
    now = timezone.now()
    rows = [{"id": 5, "created_at": now}]
    assert rollup._take_until_hole(rows, 3, gap_grace=30, now=now) == 0  # id 4 may still commit
    assert rollup._take_until_hole(rows, 4, gap_grace=30, now=now) == 1
    assert rollup._take_until_hole(rows, 3, gap_grace=0, now=now + timedelta(seconds=1)) == 1
