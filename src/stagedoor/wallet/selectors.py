"""Reads of the wallet: balances, history, earnings, packages, tip panels; access helpers."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import BigIntegerField, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotFound
from stagedoor.wallet import conf, errors
from stagedoor.wallet.models import (
    MATERIALIZED_KINDS,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransfer,
    PendingDelta,
    Tip,
    TipGoal,
    TipMenuItem,
    TipReversal,
    TokenPackage,
    TransferKind,
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


def _sum_of(qs: QuerySet[Any]) -> Coalesce:
    """`COALESCE((SELECT SUM(amount) … WHERE account_id = <outer account>), 0)`, for one-statement reads."""
    summed = qs.filter(account_id=OuterRef("pk")).order_by().values("account_id").annotate(s=Sum("amount")).values("s")
    return Coalesce(Subquery(summed), Value(0), output_field=BigIntegerField())


def _pending() -> Coalesce:
    return _sum_of(PendingDelta.objects.all())


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
        LedgerAccount.objects.filter(pk=account.pk).annotate(pending=_pending()).values_list("balance", "pending").get()
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
    counterparty_id: str | None = None  # the other user: the performer of a tip (never staff)


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
                counterpart=tip.performer.shown_name if tip else "",
                memo=(sent.menu_label or sent.message) if sent else transfer.memo,
                entry_id=entry.id,
                tip_id=tip.pk if tip else None,
                purchase_id=str(purchase) if purchase else None,
                counterparty_id=tip.performer_id if tip else None,
            )
        )
    return HistoryPage(lines, entries[-1].id if more else None)


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
    since = timezone.now() - timedelta(days=hold)
    # Balance, earned and recent from ONE statement (one snapshot): read apart, a claw-back or a roll-up
    # committing in between could make "available" larger than the truth — and payouts pay from it.
    rolled, pending, earned, recent = (
        LedgerAccount.objects.filter(pk=account.pk)
        .annotate(
            pending=_pending(),
            earned=_sum_of(LedgerEntry.objects.filter(amount__gt=0)),
            recent=_sum_of(LedgerEntry.objects.filter(created_at__gte=since)),
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


def tip_panel_viewer(user: Any, performer: Any) -> str:
    """Who looks at a performer's tip panel: "anonymous" (log in to tip), "self" (the performer: read-only,
    edit in the studio), "tipper" (may tip: the form) or "cannot_tip" (a role without TIP_SEND, e.g. staff)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if user.pk == performer.pk:
        return "self"
    return "tipper" if role_has(user.role, Perm.TIP_SEND) else "cannot_tip"


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


def studio_tip_tools(performer: Any) -> dict[str, Any]:
    """What the studio's tip menu and goal editors show: every menu item (hidden ones too), the running goal
    with its progress, the queue after it, and the last goals reached."""
    goals = list(goals_of(performer).filter(status__in=[TipGoal.Status.ACTIVE, TipGoal.Status.QUEUED]))
    active = next((g for g in goals if g.status == TipGoal.Status.ACTIVE), None)
    return {
        "menu": list(tip_menu_of(performer, include_inactive=True).order_by("position", "price", "created_at")),
        "active_goal": active,
        "active_summary": _goal_summary(active),
        "queued_goals": [g for g in goals if g is not active],
        "reached_goals": list(
            TipGoal.objects.filter(performer_id=performer.pk, status=TipGoal.Status.REACHED).order_by("-reached_at")[:5]
        ),
    }


# --- staff --------------------------------------------------------------------------------


def access_user_wallet(actor: Any, user_id: str, *, perm: str) -> User:
    require_perm(actor, perm)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def tip_get(tip_id: str) -> Tip:
    tip: Tip | None = Tip.objects.filter(pk=tip_id).first()
    if tip is None:
        raise NotFound()
    return tip


def tip_recipient(user_id: str) -> User:
    """The user a tip is addressed to, whatever their role today: `tip_send` checks the role only after the
    idempotency key (a retry of a tip to a performer who lost the role since is still that tip)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise errors.NotAPerformer()
    return user


def tip_of_sender_by_key(sender: Any, client_key: str) -> Tip:
    """The sender's tip sent with `client_key` (its outcome, for a client that lost the answer); else 404."""
    key = f"tip:{sender.pk}:{client_key}"
    tip: Tip | None = Tip.objects.filter(transfer__idempotency_key=key, sender_id=sender.pk).first()
    if tip is None:
        raise errors.TipNotFound()
    return tip


def system_balances() -> list[tuple[LedgerAccount, int]]:
    """Every system account's exact balance, all from one statement (one snapshot)."""
    accounts = list(LedgerAccount.objects.filter(owner__isnull=True).annotate(pending=_pending()).order_by("kind"))
    return [(a, int(a.balance) + int(a.pending)) for a in accounts]


# --- staff console ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffTipLine:
    tip: Tip
    reversed: int  # tokens already taken back (staff refunds and chargeback claw-backs)

    @property
    def left(self) -> int:
        return self.tip.amount - self.reversed


def tips_for_staff(*, tip_id: str = "", sender_id: str = "", limit: int = 20) -> list[StaffTipLine]:
    """One tip by id, or a sender's tips newest first, each with what was already taken back."""
    qs = Tip.objects.select_related("sender", "performer")
    if tip_id:
        qs = qs.filter(pk=tip_id)
    elif sender_id:
        qs = qs.filter(sender_id=sender_id).order_by("-created_at")
    else:
        return []
    tips = list(qs[: max(1, min(limit, 200))])
    reversed_by_tip = dict(
        TipReversal.objects.filter(tip__in=tips).values("tip_id").annotate(s=Sum("amount")).values_list("tip_id", "s")
    )
    return [StaffTipLine(t, int(reversed_by_tip.get(t.pk) or 0)) for t in tips]


@dataclass(frozen=True)
class PromotionLine:
    transfer_id: str
    at: datetime
    tokens: int
    reason: str
    user_id: str
    user_login: str
    actor_login: str


def promotions_recent(*, limit: int = 20) -> list[PromotionLine]:
    """Promotional tokens granted, newest first."""
    transfers = list(LedgerTransfer.objects.filter(kind=TransferKind.PROMOTION).order_by("-created_at")[:limit])
    tokens = dict(
        LedgerEntry.objects.filter(transfer__in=transfers, amount__gt=0)
        .values("transfer_id")
        .annotate(s=Sum("amount"))
        .values_list("transfer_id", "s")
    )
    people = {str(t.data.get(k)) for t in transfers for k in ("user", "actor") if t.data.get(k)}
    logins = dict(User.objects.filter(pk__in=people).values_list("pk", "login"))
    return [
        PromotionLine(
            transfer_id=t.pk,
            at=t.created_at,
            tokens=int(tokens.get(t.pk) or 0),
            reason=t.memo,
            user_id=str(t.data.get("user", "")),
            user_login=logins.get(str(t.data.get("user", "")), "?"),
            actor_login=logins.get(str(t.data.get("actor", "")), "?"),
        )
        for t in transfers
    ]
