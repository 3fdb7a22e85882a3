"""On PostgreSQL: roll-ups racing balance reads never over-report (issue 19, defect 2).

A hot account's balance is `balance + Σ pending deltas` and a roll-up moves deltas into `balance` in one
transaction. Read in two statements, a roll-up committing between them counted the moved deltas twice:
performer earnings above anything ever earned, platform revenue jumping and falling back. Here tips keep
arriving (so the truth only grows) while a roll-up thread folds in small batches and reader threads read
thousands of balances; each read must lie between the entries' sum read just before it and the entries'
sum read just after it. Skipped on SQLite, which runs one writer at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from stagedoor.accounts.models import User
from stagedoor.conftest import skip_or_fail
from stagedoor.verification.testing import give_approved_identity
from stagedoor.wallet import ledger, selectors, services
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, PendingDelta
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

READERS, READS_PER_READER, SEED_TIPS, ROLLUP_BATCH = 4, 150, 300, 5


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail(
            "roll-ups racing balance reads needs concurrent transactions (PostgreSQL); SQLite runs one writer "
            "at a time — set STAGEDOOR_DATABASE_URL=postgres://…",
            need="postgres",
        )


def entries_sum(account_id: str) -> int:
    return int(LedgerEntry.objects.filter(account_id=account_id).aggregate(s=Sum("amount"))["s"] or 0)


def in_thread(work: Callable[[], None], crashes: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test
            crashes.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_rollups_racing_reads_never_report_more_than_the_entries(settings: Any) -> None:
    settings.STAGEDOOR_WALLET_ROLLUP_EVERY = 1_000_000  # only the roll-up thread below folds
    settings.STAGEDOOR_WALLET_HOLD_DAYS = 0  # "available" is then the whole balance: the figure payouts use
    performer = User.objects.create(login="hotstar", email="hotstar@example.test", role="performer")
    give_approved_identity(performer)  # performers are paid only with a verified identity
    viewers = [User.objects.create(login=f"rv{i}", email=f"rv{i}@example.test", role="viewer") for i in range(4)]
    for viewer in viewers:
        fund_wallet(viewer, 100_000)
    for n in range(SEED_TIPS):
        services.tip_send(
            sender=viewers[n % 4], performer=performer, amount=1 + n % 3, idempotency_key=f"seed-tip-{n:05d}"
        )
    earnings = LedgerAccount.objects.get(kind=AccountKind.PERFORMER_EARNINGS, owner=performer)
    platform = LedgerAccount.objects.get(kind=AccountKind.PLATFORM_REVENUE, owner=None)
    assert PendingDelta.objects.filter(account_id=earnings.pk).count() > SEED_TIPS // 2  # plenty to fold
    stop = threading.Event()
    crashes: list[BaseException] = []
    over: list[str] = []
    under: list[str] = []
    reads = [0]
    rollups = [0]
    lock = threading.Lock()

    def tipper() -> None:
        n = 0
        while not stop.is_set():
            services.tip_send(
                sender=viewers[n % 4], performer=performer, amount=1 + n % 5, idempotency_key=f"race-tip-{n:06d}"
            )
            n += 1

    def roller() -> None:
        while not stop.is_set():
            for account in (earnings, platform):
                rollups[0] += 1 if ledger.account_rollup(account_id=account.pk, batch=ROLLUP_BATCH) else 0

    def reader() -> None:
        for i in range(READS_PER_READER):
            reads_of: list[tuple[str, str, Callable[[], int]]] = [
                ("earnings", earnings.pk, lambda: selectors.balance_of(earnings)),
                ("available", earnings.pk, lambda: selectors.earnings_of(performer).available),
                (
                    "platform",
                    platform.pk,
                    lambda: dict((a.kind, b) for a, b in selectors.system_balances())["platform_revenue"],
                ),
            ]
            for name, account_id, read in reads_of:
                low = entries_sum(account_id)
                seen = read()
                high = entries_sum(account_id)  # tips only add: the truth at the read lies in [low, high]
                with lock:
                    reads[0] += 1
                    if seen > high:
                        over.append(f"{name} read {seen} > entries {high} (read {i})")
                    if seen < low:
                        under.append(f"{name} read {seen} < entries {low} (read {i})")

    writers = [in_thread(tipper, crashes), in_thread(roller, crashes)]
    readers = [in_thread(reader, crashes) for _ in range(READERS)]
    for thread in writers + readers:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in readers:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stop.set()
    for thread in writers:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in writers + readers), "threads did not finish"
    assert crashes == []
    assert reads[0] == READERS * READS_PER_READER * 3
    assert rollups[0] > 50, "the roll-up thread must actually race the readers"
    assert over == [], f"{len(over)} of {reads[0]} reads were above the truth, e.g. {over[:3]}"
    assert under == [], f"{len(under)} of {reads[0]} reads were below the truth, e.g. {under[:3]}"
    ledger.account_rollup_all()
    assert selectors.balance_of(earnings) == entries_sum(earnings.pk)
    assert ledger_problems() == []
