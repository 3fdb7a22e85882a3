"""What a performer's earnings are worth to a payout: held (inside its product's hold period), matured, and what
happened after a cut-off — all from the ledger, for every performer at once (a payout run) or for one (a statement).

Maturity: an earning is held for its product's hold days (the chargeback window: tips, shows, fan clubs, paid
messages each their own) after the entry was written. Reversals (refunds, chargeback claw-backs) inside the
window come off the held part first; only what they take beyond it comes off the matured part. Payout moves
(`PAYOUT_KINDS`) are not earnings: they never count as held, and they count whenever they happened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform

from stagedoor.wallet.models import AccountKind, CommissionProduct, LedgerAccount, LedgerEntry, TransferKind
from stagedoor.wallet.selectors.balances import entries_sum, pending_sum
from stagedoor.wallet.selectors.commission import product_of_item

PAYOUT_KINDS = frozenset(
    {
        TransferKind.PAYOUT,
        TransferKind.PAYOUT_PAID,
        TransferKind.PAYOUT_FAILED,
        TransferKind.PAYOUT_RETURNED,
        TransferKind.PAYOUT_CANCELLED,
        TransferKind.RESERVE_RELEASE,
    }
)
# Earning kinds (credits) and the reversals that take them back.
EARNING_KINDS = frozenset({TransferKind.TIP, TransferKind.CHARGE, TransferKind.HOLD_CAPTURE})
REVERSAL_KINDS = frozenset({TransferKind.TIP_REFUND, TransferKind.CHARGEBACK})


def product_of_transfer(kind: str, item: str | None) -> str:
    """The commission product an earnings entry belongs to (tips when nothing more specific is known)."""
    if kind in (TransferKind.CHARGE, TransferKind.HOLD_CAPTURE):
        return product_of_item(item or "") or CommissionProduct.TIPS
    return CommissionProduct.TIPS


@dataclass(frozen=True)
class Position:
    """A performer's earnings account seen from a cut-off `as_of`."""

    performer_id: str
    account_id: str
    balance: int  # now
    after: int  # earnings entries (not payout moves) written at or after the cut-off
    held: int  # held at the cut-off (never negative)

    @property
    def balance_at(self) -> int:
        """The balance at the cut-off, plus every payout move whenever it happened."""
        return self.balance - self.after

    @property
    def matured(self) -> int:
        """Payable: matured at the cut-off, and never more than what the account holds now."""
        return max(0, min(self.balance_at - self.held, self.balance))


def _earnings_accounts(performer_ids: Collection[Any] | None) -> QuerySet[LedgerAccount]:
    qs = LedgerAccount.objects.filter(kind=AccountKind.PERFORMER_EARNINGS, owner__isnull=False)
    if performer_ids is not None:
        qs = qs.filter(owner_id__in=list(performer_ids))
    return qs


def _entries(accounts: QuerySet[LedgerAccount]) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account_id__in=accounts.values("pk")).exclude(transfer__kind__in=PAYOUT_KINDS)


def held_sums(
    accounts: QuerySet[LedgerAccount], *, as_of: datetime, hold_days: Mapping[str, int], default_hold: int
) -> dict[str, int]:
    """account id → held tokens at `as_of` (one grouped query per distinct hold period)."""
    held: dict[str, int] = defaultdict(int)
    products = set(CommissionProduct) - {CommissionProduct.ALL}
    days_of = {str(p): int(hold_days.get(str(p), default_hold)) for p in products}
    for days in sorted(set(days_of.values())):
        if days <= 0:
            continue
        rows = (
            _entries(accounts)
            .filter(created_at__gte=as_of - timedelta(days=days), created_at__lt=as_of)
            .annotate(item=KeyTextTransform("item", "transfer__data"))
            .values("account_id", "transfer__kind", "item")
            .annotate(s=Sum("amount"))
            .values_list("account_id", "transfer__kind", "item", "s")
        )
        for account_id, kind, item, total in rows:
            if days_of[product_of_transfer(kind, item)] == days:
                held[account_id] += int(total or 0)
    return {account_id: max(0, value) for account_id, value in held.items()}


def earnings_positions(
    *,
    as_of: datetime,
    hold_days: Mapping[str, int],
    default_hold: int,
    performer_ids: Collection[Any] | None = None,
) -> dict[str, Position]:
    """performer id → Position, for every performer with an earnings account (or those named)."""
    accounts = _earnings_accounts(performer_ids)
    # Balance and what came after the cut-off in ONE statement (one snapshot): read apart, tips committing in
    # between would count in one and not the other, and the matured part would come out short (or long).
    later = LedgerEntry.objects.exclude(transfer__kind__in=PAYOUT_KINDS).filter(created_at__gte=as_of)
    rows = list(
        accounts.annotate(pending=pending_sum(), after=entries_sum(later)).values_list(
            "pk", "owner_id", "balance", "pending", "after"
        )
    )
    held = held_sums(accounts, as_of=as_of, hold_days=hold_days, default_hold=default_hold)
    return {
        str(owner_id): Position(
            performer_id=str(owner_id),
            account_id=pk,
            balance=int(balance) + int(pending),
            after=int(after),
            held=held.get(pk, 0),
        )
        for pk, owner_id, balance, pending, after in rows
    }


@dataclass(frozen=True)
class StatementLine:
    """One ledger entry on a performer's earnings or reserve account: traceable by its transfer id."""

    at: datetime
    transfer_id: str
    kind: str
    account: str  # performer_earnings | performer_reserve
    amount: int
    memo: str
    run: str


def _performer_accounts(performer_id: Any) -> dict[str, str]:
    return dict(
        LedgerAccount.objects.filter(
            owner_id=performer_id, kind__in=[AccountKind.PERFORMER_EARNINGS, AccountKind.PERFORMER_RESERVE]
        ).values_list("pk", "kind")
    )


def balance_before(performer_id: Any, kind: str, at: datetime) -> int:
    """An owned account's balance just before `at` (from its entries)."""
    total = LedgerEntry.objects.filter(account__owner_id=performer_id, account__kind=kind, created_at__lt=at).aggregate(
        s=Sum("amount")
    )["s"]
    return int(total or 0)


def statement_lines(performer_id: Any, *, start: datetime, end: datetime, limit: int = 5000) -> list[StatementLine]:
    """Every entry on the performer's earnings and reserve accounts in [start, end), oldest first."""
    accounts = _performer_accounts(performer_id)
    rows = (
        LedgerEntry.objects.filter(account_id__in=list(accounts), created_at__gte=start, created_at__lt=end)
        .select_related("transfer")
        .order_by("created_at", "id")[:limit]
    )
    return [
        StatementLine(
            at=e.created_at,
            transfer_id=e.transfer_id,
            kind=e.transfer.kind,
            account=accounts[e.account_id],
            amount=e.amount,
            memo=e.transfer.memo,
            run=str((e.transfer.data or {}).get("run", "")),
        )
        for e in rows
    ]
