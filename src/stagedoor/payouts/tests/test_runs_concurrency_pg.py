"""On PostgreSQL: a payout run made while tips keep arriving and a chargeback claws back at the same time, and the
same run asked for twice at once. The run pays exactly what matured by the period's end, the tips arriving belong
to the next run, the claw-back waits for the run's lock and never drives an account below nought, one run is made."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import close_old_connections, connection

from stagedoor.conftest import skip_or_fail
from stagedoor.core.ids import new_id
from stagedoor.payouts import services
from stagedoor.payouts.models import PayoutItem, PayoutRun
from stagedoor.payouts.tests.test_runs import _balance, _lena_matured, _paid_performer, _payout_settings, _period, _tip  # noqa: F401
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import AccountKind
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_a_run_while_tips_keep_arriving(make_user: Any) -> None:
    finance = make_user("finance")
    performers = [_paid_performer(make_user, name) for name in ("Lena Marie Vogt", "Ana Lima", "Ben Ortiz")]
    viewers = [make_user("viewer") for _ in range(3)]
    for v in viewers:
        fund_wallet(v, 100_000)
    _start, end = _period()
    matured = {p.pk: _tip(viewers[0], p, 1000, 20, end) for p in performers}  # 600 each, matured
    stop = threading.Event()
    sent: list[int] = []
    failures: list[BaseException] = []

    def tipper(viewer: Any) -> None:
        try:
            while not stop.is_set():
                for p in performers:
                    tip = wallet.tip_send(sender=viewer, performer=p, amount=10, idempotency_key=new_id())
                    sent.append(int(tip.performer_amount))
        except BaseException as exc:
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=tipper, args=(v,)) for v in viewers[1:]]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 10
    while len(sent) < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    run, created = services.payout_run_create(actor=finance)
    during = len(sent)
    while len(sent) < during + 30 and time.monotonic() < deadline + 10:
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join(30)
    assert failures == [] and created and len(sent) >= during + 30
    items = {i.performer_id: i for i in PayoutItem.objects.filter(run=run)}
    for p in performers:
        assert (items[p.pk].matured_tokens, items[p.pk].amount_tokens, items[p.pk].reserve_tokens) == (600, 540, 60)
    # what arrived before, during and after the run stays in earnings, for the next run
    assert sum(_balance(p) for p in performers) == sum(sent)
    assert sum(matured.values()) == 1800 and ledger_problems() == []


def test_the_same_run_asked_twice_at_once_is_made_once(make_user: Any) -> None:
    alice, bob = make_user("finance"), make_user("finance")
    lena, _end = _lena_matured(make_user)
    gate = threading.Barrier(2)
    results: list[Any] = [None, None]

    def make(i: int, actor: Any) -> None:
        try:
            gate.wait(10)
            results[i] = services.payout_run_create(actor=actor)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=make, args=(i, a)) for i, a in enumerate((alice, bob))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(created for _run, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk and PayoutRun.objects.count() == 1
    assert _balance(lena) == 0 and _balance(lena, AccountKind.PERFORMER_RESERVE) == 60 and ledger_problems() == []
