"""Balances, packages on sale and a wallet's history (with its cursor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from stagedoor.accounts.models import User
from stagedoor.wallet import errors
from stagedoor.wallet.models import (
    MATERIALIZED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    PendingDelta,
    Tip,
    TokenPackage,
    TransferKind,
)

PAID_KINDS = frozenset({TransferKind.CHARGE, TransferKind.HOLD, TransferKind.HOLD_CAPTURE, TransferKind.HOLD_RELEASE})


def packages_on_sale() -> QuerySet[TokenPackage]:
    return TokenPackage.objects.filter(active=True).order_by("position", "tokens")


def packages_all() -> QuerySet[TokenPackage]:
    return TokenPackage.objects.all().order_by("position", "tokens")


def package_on_sale(package_id: str) -> TokenPackage:
    package = TokenPackage.objects.filter(pk=package_id, active=True).first()
    if package is None:
        raise errors.PackageNotFound()
    return package


def account_of(user: Any, kind: str) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(kind=kind, owner_id=user.pk).first()


def entries_sum(qs: QuerySet[Any]) -> Coalesce:
    """`COALESCE((SELECT SUM(amount) … WHERE account_id = <outer account>), 0)`, for one-statement reads."""
    summed = qs.filter(account_id=OuterRef("pk")).order_by().values("account_id").annotate(s=Sum("amount")).values("s")
    return Coalesce(Subquery(summed), Value(0), output_field=BigIntegerField())


def pending_sum() -> Coalesce:
    return entries_sum(PendingDelta.objects.all())


def balance_of(account: LedgerAccount | None) -> int:
    """The exact balance, as of one snapshot.

    A hot account's balance is `balance + Σ pending deltas`, and a roll-up moves deltas into `balance` in one
    transaction. Read in two statements, a roll-up committing in between counts the deltas twice (or not at
    all), so both parts come from ONE statement (one snapshot on PostgreSQL and SQLite alike).
    """
    if account is None:
        return 0
    if account.kind in MATERIALIZED_KINDS:
        return int(LedgerAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).get())
    rolled, pending = (
        LedgerAccount.objects.filter(pk=account.pk)
        .annotate(pending=pending_sum())
        .values_list("balance", "pending")
        .get()
    )
    return int(rolled) + int(pending)


def wallet_balance(user: Any) -> int:
    return balance_of(account_of(user, AccountKind.VIEWER_WALLET))


HISTORY_MAX_LIMIT = 200


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str
    amount: int
    transfer_id: str
    counterpart: str  # a display name (the performer tipped); "" when there is none
    memo: str
    entry_id: int = 0  # the cursor: pass it as `before_id` to read on from this row
    tip_id: str | None = None  # a tip, or the tip a tip refund gave back
    purchase_id: str | None = None  # a purchase, or the purchase a refund / chargeback reversed
    counterparty_id: str | None = None  # the other user: the performer of a tip or charge (never staff)

    @property
    def label(self) -> str:
        """What the line is, for people ("Hold released", not "hold_release")."""
        return str(TransferKind(self.kind).label) if self.kind in TransferKind.values else self.kind


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryLine]
    next_before_id: int | None  # None: this was the last page


def wallet_history(user: Any, *, limit: int = 50, before_id: int | None = None) -> list[HistoryLine]:
    """The viewer's purchases and spending, newest first (one page; see `wallet_history_page`)."""
    return wallet_history_page(user, limit=limit, before_id=before_id).items


def wallet_history_page(user: Any, *, limit: int = 50, before_id: int | None = None) -> HistoryPage:
    """A page of the viewer's wallet entries, newest first, and the cursor of the next page.

    A limit outside 1–HISTORY_MAX_LIMIT is refused (InvalidLimit), never silently capped.
    """
    if isinstance(limit, bool) or not 1 <= limit <= HISTORY_MAX_LIMIT:
        raise errors.InvalidLimit(
            extra={
                "minimum": 1,
                "maximum": HISTORY_MAX_LIMIT,
                "fields": {"limit": [f"Use a whole number from 1 to {HISTORY_MAX_LIMIT}."]},
            }
        )
    account = account_of(user, AccountKind.VIEWER_WALLET)
    if account is None:
        return HistoryPage([], None)
    qs = LedgerEntry.objects.filter(account=account).select_related("transfer").order_by("-id")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    entries = list(qs[: limit + 1])
    more = len(entries) > limit
    entries = entries[:limit]
    tips = {
        t.transfer_id: t
        for t in Tip.objects.filter(transfer_id__in=[e.transfer_id for e in entries]).select_related("performer")
    }
    refunded_ids = [
        str(e.transfer.data["tip"])
        for e in entries
        if e.transfer.kind == TransferKind.TIP_REFUND and e.transfer.data.get("tip")
    ]
    refunded = {t.pk: t for t in Tip.objects.filter(pk__in=refunded_ids).select_related("performer")}
    # Charges and holds (shows, fan clubs, messages) name their performer in the transfer's data.
    paid_ids = {str(e.transfer.data["performer"]) for e in entries if e.transfer.kind in PAID_KINDS}
    paid_names = {u.pk: u.shown_name for u in User.objects.filter(pk__in=paid_ids)} if paid_ids else {}
    lines = []
    for entry in entries:
        transfer = entry.transfer
        sent = tips.get(entry.transfer_id)
        tip = sent or (refunded.get(str(transfer.data["tip"])) if transfer.data.get("tip") else None)
        purchase = transfer.data.get("purchase")
        lines.append(
            HistoryLine(
                at=entry.created_at,
                kind=transfer.kind,
                amount=entry.amount,
                transfer_id=entry.transfer_id,
                counterpart=tip.performer.shown_name
                if tip
                else paid_names.get(str(transfer.data.get("performer", "")), ""),
                memo=(sent.menu_label or sent.message) if sent else transfer.memo,
                entry_id=entry.id,
                tip_id=tip.pk if tip else None,
                purchase_id=str(purchase) if purchase else None,
                counterparty_id=tip.performer_id
                if tip
                else (str(transfer.data["performer"]) if transfer.kind in PAID_KINDS else None),
            )
        )
    return HistoryPage(lines, entries[-1].id if more else None)
