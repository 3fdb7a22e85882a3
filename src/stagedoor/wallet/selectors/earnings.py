"""A performer's earnings: totals, per day, and the CSV of every tip."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.wallet import conf
from stagedoor.wallet.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    Tip,
    TransferKind,
)
from stagedoor.wallet.selectors.balances import account_of, entries_sum, pending_sum
from stagedoor.wallet.selectors.maturity import PAYOUT_KINDS


@dataclass(frozen=True)
class Earnings:
    earned_total: int
    balance: int
    on_hold: int
    available: int
    hold_days: int
    payout_rate_minor: int
    currency: str

    def value(self, tokens: int) -> int:
        return tokens * self.payout_rate_minor

    @property
    def balance_value_minor(self) -> int:
        return self.value(self.balance)

    @property
    def on_hold_value_minor(self) -> int:
        return self.value(self.on_hold)

    @property
    def available_value_minor(self) -> int:
        return self.value(self.available)


def earnings_of(performer: Any) -> Earnings:
    """Tokens earned, on hold (inside the chargeback window) and available, valued at the payout rate."""
    account = account_of(performer, AccountKind.PERFORMER_EARNINGS)
    hold = conf.hold_days()
    if account is None:
        return Earnings(0, 0, 0, 0, hold, conf.payout_rate_minor(), conf.payout_currency())
    since = timezone.now() - timedelta(days=hold)
    # Balance, earned and recent from ONE statement (one snapshot): read apart, a claw-back or a roll-up
    # committing in between could make "available" larger than the truth — and payouts pay from it.
    rolled, pending, earned, recent = (
        LedgerAccount.objects.filter(pk=account.pk)
        .annotate(
            pending=pending_sum(),
            earned=entries_sum(LedgerEntry.objects.filter(amount__gt=0)),
            recent=entries_sum(
                LedgerEntry.objects.filter(created_at__gte=since).exclude(transfer__kind__in=PAYOUT_KINDS)
            ),
        )
        .values_list("balance", "pending", "earned", "recent")
        .get()
    )
    balance = int(rolled) + int(pending)
    on_hold = max(0, min(balance, int(recent)))
    return Earnings(
        earned_total=int(earned),
        balance=balance,
        on_hold=on_hold,
        available=max(0, balance - on_hold),
        hold_days=hold,
        payout_rate_minor=conf.payout_rate_minor(),
        currency=conf.payout_currency(),
    )


@dataclass(frozen=True)
class DailyEarnings:
    day: date
    tokens: int
    tips: int
    value_minor: int


def earnings_daily(performer: Any, *, days: int = 30) -> list[DailyEarnings]:
    account = account_of(performer, AccountKind.PERFORMER_EARNINGS)
    if account is None:
        return []
    since = timezone.now() - timedelta(days=max(1, min(days, 366)))
    rate = conf.payout_rate_minor()
    rows = (
        LedgerEntry.objects.filter(account=account, created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(tokens=Sum("amount"), tips=Count("id", filter=Q(amount__gt=0)))
        .order_by("-day")
    )
    return [DailyEarnings(r["day"], int(r["tokens"]), int(r["tips"]), int(r["tokens"]) * rate) for r in rows]


CSV_CHUNK = 1000


def _csv_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv_entry_rows(
    account: LedgerAccount, since: datetime, rate: int, currency: str
) -> Iterator[tuple[datetime, list[str]]]:
    """Every earnings entry since `since`, newest first (keyset pages: rows arriving meanwhile shift nothing)."""
    last_id: int | None = None
    while True:
        qs = LedgerEntry.objects.filter(account=account, created_at__gte=since).select_related("transfer")
        if last_id is not None:
            qs = qs.filter(id__lt=last_id)
        chunk = list(qs.order_by("-id")[:CSV_CHUNK])
        if not chunk:
            return
        last_id = chunk[-1].id
        tips = {
            t.transfer_id: t
            for t in Tip.objects.filter(transfer_id__in=[e.transfer_id for e in chunk]).select_related("sender")
        }
        for e in chunk:
            tip = tips.get(e.transfer_id)
            sender = ("Anonymous" if tip.anonymous else tip.sender.shown_name) if tip else ""
            message = (tip.menu_label or tip.message) if tip else e.transfer.memo
            yield (
                e.created_at,
                [
                    _csv_time(e.created_at),
                    e.transfer_id,
                    e.transfer.kind,
                    str(e.amount),
                    str(e.amount * rate),
                    currency,
                    sender,
                    message,
                    tip.pk if tip else "",
                ],
            )


def _csv_unpaid_tip_rows(performer: Any, since: datetime, currency: str) -> Iterator[tuple[datetime, list[str]]]:
    """Tips that earned the performer nothing (a 0 % share): no earnings entry, but still a tip to list."""
    last: tuple[datetime, str] | None = None
    while True:
        qs = Tip.objects.filter(performer_id=performer.pk, performer_amount=0, created_at__gte=since)
        if last is not None:
            qs = qs.filter(Q(created_at__lt=last[0]) | Q(created_at=last[0], id__lt=last[1]))
        chunk = list(qs.select_related("sender").order_by("-created_at", "-id")[:CSV_CHUNK])
        if not chunk:
            return
        last = (chunk[-1].created_at, chunk[-1].pk)
        for tip in chunk:
            sender = "Anonymous" if tip.anonymous else tip.sender.shown_name
            yield (
                tip.created_at,
                [
                    _csv_time(tip.created_at),
                    tip.transfer_id,
                    TransferKind.TIP,
                    "0",
                    "0",
                    currency,
                    sender,
                    tip.menu_label or tip.message,
                    tip.pk,
                ],
            )


def earnings_csv_rows(performer: Any, *, days: int = 90) -> Iterator[list[str]]:
    """Header, then one row per earnings entry — and per tip, also one that earned 0 tokens — newest first."""
    yield ["time_utc", "transfer_id", "kind", "tokens", "value_minor", "currency", "from", "message", "tip_id"]
    since = timezone.now() - timedelta(days=max(1, min(days, 366)))
    rate, currency = conf.payout_rate_minor(), conf.payout_currency()
    account = account_of(performer, AccountKind.PERFORMER_EARNINGS)
    entries = _csv_entry_rows(account, since, rate, currency) if account is not None else iter(())
    unpaid = _csv_unpaid_tip_rows(performer, since, currency)
    for _at, row in heapq.merge(entries, unpaid, key=lambda pair: pair[0], reverse=True):  # both newest first
        yield row
