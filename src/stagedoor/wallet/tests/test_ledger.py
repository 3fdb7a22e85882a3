"""The ledger engine: balanced transfers, append-only rows, idempotency, roll-ups and `ledger verify`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from stagedoor.conftest import skip_or_fail
from stagedoor.core.errors import IdempotencyConflict
from stagedoor.wallet import errors, ledger, services
from stagedoor.wallet.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    PendingDelta,
    Tip,
)
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


def test_purchase_credit_is_balanced_and_exactly_once(
    make_user: Callable[..., Any], balance: Callable[[Any], int]
) -> None:
    viewer = make_user("viewer")
    pid = fund_wallet(viewer, 500)
    # the same purchase credited again (a duplicated postback) is a no-op
    services.purchase_credit(
        buyer=viewer, tokens=500, purchase_id=pid, price_minor=5000, currency="USD", provider="test"
    )
    assert balance(viewer) == 500
    transfer = LedgerTransfer.objects.get(idempotency_key=f"purchase:{pid}")
    assert sorted(transfer.entries.values_list("amount", flat=True)) == [-500, 500]
    assert LedgerTransfer.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        services.purchase_credit(
            buyer=viewer, tokens=999, purchase_id=pid, price_minor=5000, currency="USD", provider="test"
        )
    assert balance(viewer) == 500
    assert ledger_problems() == []


def test_ledger_rows_are_append_only(make_user: Callable[..., Any]) -> None:
    viewer = make_user("viewer")
    fund_wallet(viewer, 10)
    transfer = LedgerTransfer.objects.get()
    entry = LedgerEntry.objects.first()
    assert entry is not None
    attempts: tuple[Callable[[], object], ...] = (
        lambda: LedgerEntry.objects.update(amount=1),
        lambda: LedgerEntry.objects.all().delete(),
        lambda: LedgerTransfer.objects.update(memo="x"),
        lambda: entry.delete(),
        lambda: transfer.delete(),
        lambda: entry.save(),
    )
    for attempt in attempts:
        with pytest.raises(TypeError, match="append-only"):
            attempt()
    assert LedgerEntry.objects.count() == 2


def test_unbalanced_or_zero_transfers_are_refused(make_user: Callable[..., Any]) -> None:
    viewer = make_user("viewer")
    wallet = ledger.account_get(AccountKind.VIEWER_WALLET, viewer)
    promo = ledger.system_account(AccountKind.PROMOTIONS)
    for legs in (
        [ledger.Leg(promo, -5), ledger.Leg(wallet, 4)],
        [ledger.Leg(promo, -5)],
        [ledger.Leg(promo, -5), ledger.Leg(wallet, 5.0)],  # type: ignore[arg-type]  # a float is refused at run time
        [ledger.Leg(promo, 0), ledger.Leg(wallet, 0)],
    ):
        with pytest.raises(errors.LedgerInvariantBroken):
            ledger.transfer_create(kind="promotion", key=f"k{len(legs)}{legs[-1].amount}", digest="x", legs=legs)
    assert LedgerEntry.objects.count() == 0


def test_verify_command_finds_tampering(make_user: Callable[..., Any], performer_with_tips: dict[str, Any]) -> None:
    call_command("ledger", "verify")
    viewer = performer_with_tips["viewer"]
    # Tamper with a wallet balance and an entry behind the ORM's back.
    LedgerAccount.objects.filter(kind=AccountKind.VIEWER_WALLET, owner=viewer).update(balance=12345)
    with connection.cursor() as cursor:
        table = LedgerEntry._meta.db_table
        cursor.execute(f"UPDATE {table} SET amount = amount + 1 WHERE id = (SELECT MAX(id) FROM {table})")  # noqa: S608
    with pytest.raises(CommandError, match="ledger inconsistent"):
        call_command("ledger", "verify")
    problems = ledger_problems()
    assert any("sum to 1" in p for p in problems)
    assert any("balance 12345" in p for p in problems)


def test_rollup_folds_deltas_without_changing_balances(
    make_user: Callable[..., Any], performer_with_tips: dict[str, Any], earnings_balance: Callable[[Any], int]
) -> None:
    performer = performer_with_tips["performer"]
    before = earnings_balance(performer)
    assert PendingDelta.objects.exists()
    call_command("ledger", "rollup")
    assert not PendingDelta.objects.exists()
    assert earnings_balance(performer) == before
    account = LedgerAccount.objects.get(kind=AccountKind.PERFORMER_EARNINGS, owner=performer)
    assert account.balance == before
    assert ledger_problems() == []


def test_every_tip_appends_no_update_to_the_performer_row(
    make_user: Callable[..., Any],
    fund: Callable[[Any, int], str],
    settings: Any,
    earnings_balance: Callable[[Any], int],
) -> None:
    settings.STAGEDOOR_WALLET_ROLLUP_EVERY = 1_000_000
    # The commission rules are cached in process (loaded by the warm-up tip); their version stamp is re-read
    # at most once a second — not inside this measurement, however slow the machine.
    settings.STAGEDOOR_WALLET_COMMISSION_RECHECK_SECONDS = 3600
    settings.STAGEDOOR_PAYOUTS_SANCTIONS_RECHECK_SECONDS = 3600  # the payee gate's confirmed matches, likewise
    performer = make_user("performer")
    viewer = make_user("viewer")
    fund(viewer, 100)
    services.tip_send(sender=viewer, performer=performer, amount=10, idempotency_key="warmup-0001")
    account = LedgerAccount.objects.get(kind=AccountKind.PERFORMER_EARNINGS, owner=performer)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.tip_send(sender=viewer, performer=performer, amount=10, idempotency_key="hot-path-0002")
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    if connection.vendor == "postgresql":
        # the payee gate's one read by primary key (verification: may this performer be paid?), then the whole
        # tip as one statement (wallet.fastpath)
        assert len(statements) == 2, statements
        assert statements[0].startswith("SELECT") and '"verification_performerstanding"' in statements[0]
        # bound on the server: the conditional spend carries the amount as a parameter
        assert re.search(r"SET balance = a\.balance - \$(\d+)\b.*a\.balance >= \$\1\b", statements[1], re.S)
    else:
        updates = [sql for sql in statements if sql.split()[0].upper() == "UPDATE"]
        assert len(updates) == 1 and '"balance" >= 10' in updates[0], updates  # only the conditional spend
    # The performer's row was never written; their balance grew through appended deltas.
    account_after = LedgerAccount.objects.get(pk=account.pk)
    assert account_after.balance == account.balance == 0
    assert earnings_balance(performer) == 10
    assert Tip.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_tip_statement_is_prepared_once_per_connection(
    make_user: Callable[..., Any], fund: Callable[[Any, int], str]
) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the one-statement tip is PostgreSQL's", need="postgres")
    performer = make_user("performer")
    viewer = make_user("viewer")
    fund(viewer, 100)
    for n in range(8):  # psycopg prepares a statement on its `prepare_threshold`-th (5th) run
        services.tip_send(sender=viewer, performer=performer, amount=1, idempotency_key=f"prepared-{n:04d}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%WITH acc AS%"])
        assert cursor.fetchone()[0] == 1
    assert Tip.objects.filter(sender=viewer).count() == 8
