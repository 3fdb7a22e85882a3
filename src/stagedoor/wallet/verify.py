"""`ledger verify`: recompute every balance from the entries and check every transfer balances."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from stagedoor.wallet.models import (
    MATERIALIZED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    PendingDelta,
    TransferKind,
)

BATCH = 1000


@dataclass(frozen=True)
class LedgerProblem:
    subject: str
    problem: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.problem}"


def ledger_verify() -> Iterator[LedgerProblem | int]:
    """Yield problems as found and running counts of accounts checked (ints), in one consistent snapshot."""
    outer = connection.in_atomic_block  # inside a caller's transaction: use its snapshot
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield from _transfers()
        yield from _accounts()
        yield from _holds()


def _transfers() -> Iterator[LedgerProblem]:
    unbalanced = (
        LedgerEntry.objects.values("transfer_id")
        .annotate(total=Sum("amount"), n=Count("id"))
        .filter(~Q(total=0) | Q(n__lt=2))
        .order_by("transfer_id")
    )
    for row in unbalanced.iterator():
        yield LedgerProblem(
            f"transfer {row['transfer_id']}",
            f"entries sum to {row['total']} over {row['n']} entries (must be 0 over ≥2)",
        )
    for transfer_id in LedgerTransfer.objects.filter(entries__isnull=True).values_list("id", flat=True):
        yield LedgerProblem(f"transfer {transfer_id}", "has no entries")
    # Entry and delta → account links carry no database constraint (hot rows); check them here.
    known = LedgerAccount.objects.values("pk")
    for account_id in LedgerEntry.objects.exclude(account_id__in=known).values_list("account_id", flat=True).distinct():
        yield LedgerProblem(f"account {account_id}", "entries point to an account that does not exist")
    for account_id in (
        PendingDelta.objects.exclude(account_id__in=known).values_list("account_id", flat=True).distinct()
    ):
        yield LedgerProblem(f"account {account_id}", "pending deltas point to an account that does not exist")


# Hot accounts that can never hold less than nothing: escrow, a performer's reserve, payouts owed and paid out.
NEVER_NEGATIVE_KINDS = frozenset(
    {AccountKind.HOLDS, AccountKind.PERFORMER_RESERVE, AccountKind.PAYOUT_CLEARING, AccountKind.PAID_OUT}
)


def _accounts() -> Iterator[LedgerProblem | int]:
    checked = 0
    last = ""
    while True:
        accounts = list(LedgerAccount.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not accounts:
            break
        ids = [a.pk for a in accounts]
        sums = dict(
            LedgerEntry.objects.filter(account_id__in=ids)
            .values("account_id")
            .annotate(s=Sum("amount"))
            .values_list("account_id", "s")
        )
        pending = dict(
            PendingDelta.objects.filter(account_id__in=ids)
            .values("account_id")
            .annotate(s=Sum("amount"))
            .values_list("account_id", "s")
        )
        for account in accounts:
            from_entries = int(sums.get(account.pk) or 0)
            if account.kind in MATERIALIZED_KINDS:
                stored = account.balance
                if stored < 0:
                    yield LedgerProblem(f"account {account}", f"balance is negative ({stored})")
                if pending.get(account.pk):
                    yield LedgerProblem(f"account {account}", "a materialized account has pending deltas")
            else:
                stored = account.balance + int(pending.get(account.pk) or 0)
                if account.kind in NEVER_NEGATIVE_KINDS and from_entries < 0:
                    yield LedgerProblem(f"account {account}", f"balance is negative ({from_entries})")
            if stored != from_entries:
                yield LedgerProblem(
                    f"account {account}",
                    f"balance {stored} but entries sum to {from_entries} (difference {stored - from_entries:+d})",
                )
            checked += 1
        last = accounts[-1].pk
        yield checked


def _holds() -> Iterator[LedgerProblem]:
    """The holds account holds exactly the open holds: each hold moved its `amount` in, each settle moved its
    hold's whole amount out, once; so its balance is the sum of the holds not yet settled."""
    account = LedgerAccount.objects.filter(kind=AccountKind.HOLDS, owner__isnull=True).first()
    if account is None:
        return
    moved = dict(
        LedgerEntry.objects.filter(account_id=account.pk)
        .values("transfer_id")
        .annotate(s=Sum("amount"))
        .values_list("transfer_id", "s")
    )
    held: dict[str, int] = {}
    for pk, data in LedgerTransfer.objects.filter(kind=TransferKind.HOLD).values_list("pk", "data").iterator():
        held[pk] = int((data or {}).get("amount", 0))
        if moved.get(pk) != held[pk]:
            yield LedgerProblem(f"hold {pk}", f"holds {held[pk]} but moved {moved.get(pk)} into the holds account")
    settled: set[str] = set()
    settles = LedgerTransfer.objects.filter(kind__in=[TransferKind.HOLD_CAPTURE, TransferKind.HOLD_RELEASE])
    for pk, data in settles.values_list("pk", "data").iterator():
        hold_id = str((data or {}).get("hold", ""))
        if hold_id not in held:
            yield LedgerProblem(f"transfer {pk}", f"settles unknown hold {hold_id!r}")
            continue
        if hold_id in settled:
            yield LedgerProblem(f"hold {hold_id}", "settled more than once")
        settled.add(hold_id)
        if moved.get(pk) != -held[hold_id]:
            yield LedgerProblem(f"transfer {pk}", f"settles {held[hold_id]} but moved {moved.get(pk)}")
    open_total = sum(amount for pk, amount in held.items() if pk not in settled)
    balance = sum(int(v or 0) for v in moved.values())
    if balance != open_total:
        yield LedgerProblem(f"account {account}", f"holds {balance} but the open holds sum to {open_total}")
