"""Reads of the wallet: balances, history, earnings, packages, tip panels; access helpers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotFound
from stagedoor.wallet import conf, errors
from stagedoor.wallet.models import (
    MATERIALIZED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    PendingDelta,
    Tip,
    TipGoal,
    TipMenuItem,
    TokenPackage,
)

# --- packages -----------------------------------------------------------------------------


def packages_on_sale() -> QuerySet[TokenPackage]:
    return TokenPackage.objects.filter(active=True).order_by("position", "tokens")


def packages_all() -> QuerySet[TokenPackage]:
    return TokenPackage.objects.all().order_by("position", "tokens")


def package_on_sale(package_id: str) -> TokenPackage:
    package = TokenPackage.objects.filter(pk=package_id, active=True).first()
    if package is None:
        raise errors.PackageNotFound()
    return package


# --- balances -----------------------------------------------------------------------------


def account_of(user: Any, kind: str) -> LedgerAccount | None:
    return LedgerAccount.objects.filter(kind=kind, owner_id=user.pk).first()


def balance_of(account: LedgerAccount | None) -> int:
    if account is None:
        return 0
    if account.kind in MATERIALIZED_KINDS:
        return int(LedgerAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).get())
    pending = PendingDelta.objects.filter(account_id=account.pk).aggregate(s=Sum("amount"))["s"] or 0
    rolled = LedgerAccount.objects.filter(pk=account.pk).values_list("balance", flat=True).get()
    return int(rolled) + int(pending)


def wallet_balance(user: Any) -> int:
    return balance_of(account_of(user, AccountKind.VIEWER_WALLET))


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    kind: str
    amount: int
    transfer_id: str
    counterpart: str
    memo: str


def wallet_history(user: Any, *, limit: int = 50, before_id: int | None = None) -> list[HistoryLine]:
    """The viewer's purchases and spending, newest first."""
    account = account_of(user, AccountKind.VIEWER_WALLET)
    if account is None:
        return []
    qs = LedgerEntry.objects.filter(account=account).select_related("transfer").order_by("-id")
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    entries = list(qs[: max(1, min(limit, 200))])
    tips = {
        t.transfer_id: t
        for t in Tip.objects.filter(transfer_id__in=[e.transfer_id for e in entries]).select_related("performer")
    }
    lines = []
    for entry in entries:
        tip = tips.get(entry.transfer_id)
        counterpart = tip.performer.shown_name if tip else ""
        memo = (tip.menu_label or tip.message) if tip else entry.transfer.memo
        lines.append(
            HistoryLine(entry.created_at, entry.transfer.kind, entry.amount, entry.transfer_id, counterpart, memo)
        )
    return lines


# --- earnings -----------------------------------------------------------------------------


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
    balance = balance_of(account)
    since = timezone.now() - timedelta(days=hold)
    agg = LedgerEntry.objects.filter(account=account).aggregate(
        earned=Sum("amount", filter=Q(amount__gt=0)), recent=Sum("amount", filter=Q(created_at__gte=since))
    )
    on_hold = max(0, min(balance, int(agg["recent"] or 0)))
    return Earnings(
        earned_total=int(agg["earned"] or 0),
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


def earnings_csv_rows(performer: Any, *, days: int = 90) -> Iterator[list[str]]:
    """Header, then one row per earnings entry (newest first)."""
    yield ["time_utc", "transfer_id", "kind", "tokens", "value_minor", "currency", "from", "message"]
    account = account_of(performer, AccountKind.PERFORMER_EARNINGS)
    if account is None:
        return
    since = timezone.now() - timedelta(days=max(1, min(days, 366)))
    rate, currency = conf.payout_rate_minor(), conf.payout_currency()
    entries = (
        LedgerEntry.objects.filter(account=account, created_at__gte=since).select_related("transfer").order_by("-id")
    )
    for chunk_start in range(0, 1_000_000, 1000):
        chunk = list(entries[chunk_start : chunk_start + 1000])
        if not chunk:
            break
        tips = {
            t.transfer_id: t
            for t in Tip.objects.filter(transfer_id__in=[e.transfer_id for e in chunk]).select_related("sender")
        }
        for e in chunk:
            tip = tips.get(e.transfer_id)
            sender = ("Anonymous" if tip.anonymous else tip.sender.shown_name) if tip else ""
            message = (tip.menu_label or tip.message) if tip else e.transfer.memo
            yield [
                e.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                e.transfer_id,
                e.transfer.kind,
                str(e.amount),
                str(e.amount * rate),
                currency,
                sender,
                message,
            ]


# --- tip menus and goals ------------------------------------------------------------------


def performer_by_id(performer_id: str) -> User:
    performer = User.objects.filter(pk=performer_id, role=Role.PERFORMER, is_active=True).first()
    if performer is None:
        raise errors.NotAPerformer()
    return performer


def performer_by_login(login: str) -> User:
    performer = User.objects.filter(login=login.lower(), role=Role.PERFORMER, is_active=True).first()
    if performer is None:
        raise errors.NotAPerformer()
    return performer


def tip_menu_of(performer: Any, *, include_inactive: bool = False) -> QuerySet[TipMenuItem]:
    qs = TipMenuItem.objects.filter(performer_id=performer.pk)
    return qs if include_inactive else qs.filter(active=True)


def goal_progress(goal: TipGoal) -> int:
    if goal.status == TipGoal.Status.REACHED:
        return goal.target
    if goal.status != TipGoal.Status.ACTIVE or goal.started_at is None:
        return 0
    total = Tip.objects.filter(performer_id=goal.performer_id, created_at__gte=goal.started_at).aggregate(
        s=Sum("amount")
    )["s"]
    return int(total or 0)


def goals_of(performer: Any) -> QuerySet[TipGoal]:
    return TipGoal.objects.filter(performer_id=performer.pk).order_by("position", "created_at")


def _goal_summary(active: TipGoal | None) -> dict[str, Any] | None:
    if active is None:
        return None
    progress = goal_progress(active)
    return {
        "id": active.pk,
        "title": active.title,
        "target": active.target,
        "progress": min(progress, active.target),
        "percent": min(100, progress * 100 // active.target),
    }


def active_goal(performer_id: Any) -> dict[str, Any] | None:
    """The active goal with its progress (what chat announces after a tip), or None."""
    return _goal_summary(TipGoal.objects.filter(performer_id=performer_id, status=TipGoal.Status.ACTIVE).first())


def tip_panel(performer: User) -> dict[str, Any]:
    """What a room page shows: the tip menu, the active goal with progress, the goals after it, recent tips."""
    goals = list(goals_of(performer).filter(status__in=[TipGoal.Status.ACTIVE, TipGoal.Status.QUEUED]))
    active = next((g for g in goals if g.status == TipGoal.Status.ACTIVE), None)
    goal = _goal_summary(active)
    recent = Tip.objects.filter(performer=performer).select_related("sender").order_by("-created_at")[:10]
    return {
        "performer_id": performer.pk,
        "performer_login": performer.login,
        "performer_name": performer.shown_name,
        "menu": [{"id": i.pk, "label": i.label, "price": i.price} for i in tip_menu_of(performer)],
        "goal": goal,
        "next_goals": [{"id": g.pk, "title": g.title, "target": g.target} for g in goals if g is not active],
        "recent_tips": [
            {
                "amount": t.amount,
                "sender_name": "Anonymous" if t.anonymous else t.sender.shown_name,
                "message": t.menu_label or t.message,
                "created_at": t.created_at,
            }
            for t in recent
        ],
    }


# --- staff --------------------------------------------------------------------------------


def access_user_wallet(actor: Any, user_id: str, *, perm: str) -> User:
    require_perm(actor, perm)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def tip_get(tip_id: str) -> Tip:
    tip = Tip.objects.filter(pk=tip_id).first()
    if tip is None:
        raise NotFound()
    return tip


def system_balances() -> list[tuple[LedgerAccount, int]]:
    accounts = list(LedgerAccount.objects.filter(owner__isnull=True).order_by("kind"))
    return [(a, balance_of(a)) for a in accounts]
