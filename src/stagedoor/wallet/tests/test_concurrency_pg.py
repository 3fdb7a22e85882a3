"""On PostgreSQL: 1,000 concurrent tips from 100 viewers, with client retries reusing idempotency keys.

No double spend, no negative balance, every token accounted for. Skipped on SQLite (one writer at a time
there; the point is PostgreSQL's row locks and unique-index waits).
"""

from __future__ import annotations

import queue
import random
import threading
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from stagedoor.accounts.models import User
from stagedoor.conftest import skip_or_fail
from stagedoor.verification.testing import give_approved_identity
from stagedoor.wallet import errors, ledger, selectors, services
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, Tip
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VIEWERS, PERFORMERS, TIPS, THREADS, FUNDS = 100, 5, 1000, 12, 30


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_concurrent_tips_with_retries(settings: Any) -> None:
    settings.STAGEDOOR_WALLET_ROLLUP_EVERY = 25  # roll-ups race with tips too
    rng = random.Random(20261123)
    viewers = [User.objects.create(login=f"cv{i}", email=f"cv{i}@example.test", role="viewer") for i in range(VIEWERS)]
    performers = [
        User.objects.create(login=f"cp{i}", email=f"cp{i}@example.test", role="performer") for i in range(PERFORMERS)
    ]
    give_approved_identity(performers)  # performers are paid only with a verified identity
    hot = performers[0]
    for viewer in viewers:
        fund_wallet(viewer, FUNDS)
    # 1,000 tips (10 per viewer, about 35 tokens wanted from 30 held, so some must fail); half go to one
    # hot performer. Each is sent 1–3 times with the same key — the retries race the original.
    plan: list[dict[str, Any]] = []
    for n in range(TIPS):
        viewer = viewers[n % VIEWERS]
        performer = hot if rng.random() < 0.5 else rng.choice(performers[1:])
        plan.append({"key": f"conc-tip-{n:05d}", "viewer": viewer, "performer": performer, "amount": rng.randint(1, 6)})
    attempts = [p for p in plan for _ in range(rng.choice([1, 1, 2, 3]))]
    rng.shuffle(attempts)
    work: queue.Queue[dict[str, Any]] = queue.Queue()
    for item in attempts:
        work.put(item)
    results: dict[str, list[Any]] = defaultdict(list)
    crashes: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            while True:
                try:
                    item = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    tip = services.tip_send(
                        sender=item["viewer"],
                        performer=item["performer"],
                        amount=item["amount"],
                        idempotency_key=item["key"],
                    )
                    outcome: Any = tip.pk
                except errors.InsufficientBalance:
                    outcome = "insufficient"
                with lock:
                    results[item["key"]].append(outcome)
        except BaseException as exc:  # surfaced below
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads), "workers did not finish"
    assert crashes == []
    assert sum(len(v) for v in results.values()) == len(attempts)

    # every retry of a key got the same answer: one tip, or a refusal
    succeeded = {}
    for key, outcomes in results.items():
        assert len(set(outcomes)) == 1, (key, outcomes)
        if outcomes[0] != "insufficient":
            succeeded[key] = outcomes[0]
    assert Tip.objects.count() == len(succeeded) == len(set(succeeded.values()))
    assert 0 < len(succeeded) < TIPS  # both outcomes happened

    spent: dict[str, int] = defaultdict(int)
    by_key = {p["key"]: p for p in plan}
    for key in succeeded:
        spent[by_key[key]["viewer"].pk] += by_key[key]["amount"]
    for viewer in viewers:
        balance = selectors.wallet_balance(viewer)
        assert balance >= 0
        assert balance == FUNDS - spent[viewer.pk]
    tipped = sum(spent.values())
    assert Tip.objects.aggregate(s=Sum("amount"))["s"] == tipped
    earned = sum(selectors.earnings_of(p).balance for p in performers)
    platform = selectors.balance_of(ledger.system_account(AccountKind.PLATFORM_REVENUE))
    assert earned + platform == tipped
    wallets = LedgerAccount.objects.filter(kind=AccountKind.VIEWER_WALLET).aggregate(s=Sum("balance"))["s"]
    assert wallets + earned + platform == VIEWERS * FUNDS  # every token accounted for
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == 0
    assert ledger_problems() == []
    ledger.account_rollup_all()
    assert ledger_problems() == []
