"""Reads: what a batch of ledger entries adds to the roll-ups (shared by the roll-up job and the dashboards'
live tail), and the dashboards' series — roll-up rows plus the entries not folded yet.

Nothing here scans the ledger's history: a dashboard reads at most a year of daily rows and the tail after
the roll-up's cursor (seconds of activity while the job keeps up; capped at TAIL_LIMIT entries otherwise).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from stagedoor.analytics.models import (
    EARNING_PRODUCTS,
    ChatterDaily,
    LedgerDaily,
    PlatformDaily,
    Product,
    RollupCursor,
    SalesDaily,
    ShowMinutesDaily,
    SupportDaily,
)
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, LedgerTransfer, Tip, TransferKind

LEDGER_CURSOR = "ledger"
CHAT_CURSOR = "chat"
TAIL_LIMIT = 20_000
RANGES = (30, 90, 365)

ITEM_PRODUCTS: dict[str, str] = {
    "show_minute": Product.SHOWS,
    "show_hold": Product.SHOWS,
    "show_ticket": Product.TICKETS,
    "fanclub": Product.FANCLUB,
    "message": Product.MESSAGES,
    "pm": Product.MESSAGES,
    "unlock": Product.MESSAGES,
}
KIND_PRODUCTS: dict[str, str] = {
    TransferKind.TIP: Product.TIPS,
    TransferKind.PURCHASE: Product.PURCHASES,
    TransferKind.PURCHASE_REFUND: Product.REFUNDS,
    TransferKind.TIP_REFUND: Product.REFUNDS,
    TransferKind.CHARGEBACK: Product.CHARGEBACKS,
    TransferKind.PROMOTION: Product.PROMOTIONS,
    TransferKind.AFFILIATE_COMMISSION: Product.AFFILIATES,
    TransferKind.PAYOUT: Product.PAYOUTS,
    TransferKind.PAYOUT_PAID: Product.PAYOUTS,
    TransferKind.PAYOUT_FAILED: Product.PAYOUTS,
    TransferKind.PAYOUT_RETURNED: Product.PAYOUTS,
    TransferKind.PAYOUT_CANCELLED: Product.PAYOUTS,
    TransferKind.RESERVE_RELEASE: Product.PAYOUTS,
}
SHOW_MINUTE_ITEMS = {"show_minute", "show_hold"}  # a billed minute: a charge, or minute 1 captured from a hold


def product_of(kind: str, data: dict[str, Any]) -> str:
    """The product a transfer's entries count under (see docs/analytics.md)."""
    if kind in KIND_PRODUCTS:
        return KIND_PRODUCTS[kind]
    if kind in (TransferKind.HOLD, TransferKind.HOLD_RELEASE):
        return Product.HOLDS
    if kind in (TransferKind.CHARGE, TransferKind.HOLD_CAPTURE):
        return ITEM_PRODUCTS.get(str(data.get("item", "")), Product.OTHER)
    return Product.OTHER


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


Sums = dict[tuple[Any, ...], dict[str, int]]


def _add(sums: Sums, key: tuple[Any, ...], **deltas: int) -> None:
    row = sums.setdefault(key, {})
    for name, value in deltas.items():
        row[name] = row.get(name, 0) + value


@dataclass
class Folded:
    """What some ledger entries add to each roll-up, keyed like the tables' unique constraints."""

    ledger: Sums = field(default_factory=dict)  # (account_id, day, product) -> amount, entries
    platform: Sums = field(default_factory=dict)  # (account_kind, day, product) -> amount, entries
    support: Sums = field(default_factory=dict)  # (performer_id, day, payer_id, anonymous) -> amount, payments
    sales: Sums = field(default_factory=dict)  # (day, provider, currency) -> purchases, tokens, amount_minor…
    minutes: Sums = field(default_factory=dict)  # (performer_id, day) -> minutes, tokens
    account_kinds: dict[str, str] = field(default_factory=dict)
    entries: int = 0


def fold_entries(entries: Sequence[dict[str, Any]]) -> Folded:
    """Fold entries (dicts with id, amount, created_at, account_id, transfer_id) into daily sums.

    Per-transfer figures (a supporter's payment, a sale, a show minute) are counted at exactly one of the
    transfer's entries — the payer's side — so they are folded once however a batch splits a transfer."""
    out = Folded(entries=len(entries))
    if not entries:
        return out
    transfer_ids = {e["transfer_id"] for e in entries}
    transfers = {
        t["id"]: t
        for t in LedgerTransfer.objects.filter(id__in=transfer_ids).values("id", "kind", "data", "reverses_id")
    }
    reversed_ids = {t["reverses_id"] for t in transfers.values() if t["reverses_id"]}
    originals = {
        t["id"]: t["data"] or {} for t in LedgerTransfer.objects.filter(id__in=reversed_ids).values("id", "data")
    }
    accounts: dict[str, dict[str, Any]] = {
        a["id"]: dict(a)
        for a in LedgerAccount.objects.filter(id__in={e["account_id"] for e in entries}).values(
            "id", "kind", "owner_id"
        )
    }
    tip_transfers = [tid for tid, t in transfers.items() if t["kind"] == TransferKind.TIP]
    tips = {
        t["transfer_id"]: t
        for t in Tip.objects.filter(transfer_id__in=tip_transfers).values(
            "transfer_id", "sender_id", "performer_id", "anonymous", "amount"
        )
    }
    for e in entries:
        transfer = transfers[e["transfer_id"]]
        data = transfer["data"] or {}
        kind = transfer["kind"]
        account: dict[str, Any] = accounts.get(e["account_id"]) or {"kind": "unknown", "owner_id": None}
        day = utc_day(e["created_at"])
        product = product_of(kind, data)
        amount = int(e["amount"])
        out.account_kinds[e["account_id"]] = account["kind"]
        _add(out.ledger, (e["account_id"], day, product), amount=amount, entries=1)
        _add(out.platform, (account["kind"], day, product), amount=amount, entries=1)
        payer_side = account["kind"] == AccountKind.VIEWER_WALLET and amount < 0
        holds_side = account["kind"] == AccountKind.HOLDS and amount < 0
        clearing = account["kind"] == AccountKind.PURCHASE_CLEARING
        if kind == TransferKind.TIP and payer_side:
            tip = tips.get(e["transfer_id"])
            if tip is not None:
                key: tuple[Any, ...] = (tip["performer_id"], day, tip["sender_id"], bool(tip["anonymous"]))
                _add(out.support, key, amount=int(tip["amount"]), payments=1)
        elif (kind == TransferKind.CHARGE and payer_side) or (
            kind == TransferKind.HOLD_CAPTURE and holds_side and int(data.get("amount", 0)) > 0
        ):
            paid = int(data.get("amount", 0))
            _add(out.support, (str(data["performer"]), day, str(data["payer"]), False), amount=paid, payments=1)
            if data.get("item") in SHOW_MINUTE_ITEMS:
                _add(out.minutes, (str(data["performer"]), day), minutes=1, tokens=paid)
        elif kind == TransferKind.PURCHASE and clearing:
            key = (day, str(data.get("provider", "")), str(data.get("currency", "")))
            _add(out.sales, key, purchases=1, tokens=-amount, amount_minor=int(data.get("price_minor", 0)))
        elif kind in (TransferKind.PURCHASE_REFUND, TransferKind.CHARGEBACK) and clearing:
            original = originals.get(transfer["reverses_id"], {})
            key = (day, str(original.get("provider", "")), str(original.get("currency", "")))
            money = int(original.get("price_minor", 0))
            if kind == TransferKind.CHARGEBACK:
                _add(out.sales, key, chargebacks=1, chargeback_tokens=amount, chargeback_minor=money)
            else:
                _add(out.sales, key, refunds=1, refund_tokens=amount, refund_minor=money)
    return out


def entry_rows(queryset: Any) -> list[dict[str, Any]]:
    return list(queryset.values("id", "amount", "created_at", "account_id", "transfer_id"))


def ledger_cursor() -> int:
    return int(RollupCursor.objects.filter(name=LEDGER_CURSOR).values_list("last_id", flat=True).first() or 0)


@dataclass(frozen=True)
class Tail:
    folded: Folded
    complete: bool  # False: the roll-up is more than TAIL_LIMIT entries behind (the page says so)


def ledger_tail() -> Tail:
    """The entries the roll-up has not folded yet, folded in memory."""
    rows = entry_rows(LedgerEntry.objects.filter(id__gt=ledger_cursor()).order_by("id")[: TAIL_LIMIT + 1])
    return Tail(folded=fold_entries(rows[:TAIL_LIMIT]), complete=len(rows) <= TAIL_LIMIT)


# --- the performer's dashboard ---------------------------------------------------------------------


def clamp_days(days: int) -> int:
    return days if days in RANGES else 30


def day_range(days: int, *, today: date | None = None) -> list[date]:
    end = today or timezone.now().astimezone(UTC).date()
    return [end - timedelta(days=n) for n in range(days - 1, -1, -1)]


@dataclass
class Series:
    key: str
    label: str
    values: list[int]


@dataclass
class Supporter:
    name: str
    tokens: int
    payments: int
    anonymous: bool


@dataclass
class PerformerDashboard:
    days: int
    labels: list[str]
    earnings: list[Series]  # stacked by source (performer's share, tokens)
    earnings_total: int
    supporters: list[Supporter]
    minutes: list[int]
    show_tokens: list[int]
    payers: list[int]
    chatters: list[int]
    conversion: list[float | None]  # payers ÷ chatters per day (None: nobody chatted)
    complete: bool


def _earnings_account_id(performer: Any) -> str | None:
    return (
        LedgerAccount.objects.filter(kind=AccountKind.PERFORMER_EARNINGS, owner=performer)
        .values_list("id", flat=True)
        .first()
    )


def performer_dashboard(performer: Any, *, days: int = 30, top: int = 10) -> PerformerDashboard:
    days = clamp_days(days)
    span = day_range(days)
    index = {d: i for i, d in enumerate(span)}
    since = span[0]
    tail = ledger_tail()
    folded = tail.folded
    account_id = _earnings_account_id(performer)
    pid = str(performer.pk)

    by_product: dict[str, list[int]] = {p: [0] * days for p in EARNING_PRODUCTS}

    def put_earning(day: date, product: str, amount: int) -> None:
        if day in index and product != Product.PAYOUTS:  # money leaving earnings to be paid is not earning less
            by_product.setdefault(product, [0] * days)[index[day]] += amount

    if account_id is not None:
        for row in LedgerDaily.objects.filter(account_id=account_id, day__gte=since).values("day", "product", "amount"):
            put_earning(row["day"], row["product"], int(row["amount"]))
        for (acc, day, product), sums in folded.ledger.items():
            if acc == account_id:
                put_earning(day, product, sums["amount"])
    labels_of = dict(Product.choices)
    earnings = [Series(key=p, label=str(labels_of.get(p, p)), values=v) for p, v in by_product.items() if any(v)] or [
        Series(key=Product.TIPS, label=str(labels_of[Product.TIPS]), values=[0] * days)
    ]

    # supporters and distinct payers per day
    totals: dict[tuple[str, bool], list[int]] = defaultdict(lambda: [0, 0])
    payers_by_day: dict[date, set[str]] = defaultdict(set)

    def put_support(day: date, payer: str, anonymous: bool, amount: int, payments: int) -> None:
        if day not in index:
            return
        t = totals[(payer, anonymous)]
        t[0] += amount
        t[1] += payments
        payers_by_day[day].add(payer)

    for srow in SupportDaily.objects.filter(performer_id=pid, day__gte=since).values(
        "day", "payer_id", "anonymous", "amount", "payments"
    ):
        put_support(srow["day"], srow["payer_id"], srow["anonymous"], int(srow["amount"]), int(srow["payments"]))
    for (perf, day, payer, anonymous), sums in folded.support.items():
        if perf == pid:
            put_support(day, payer, anonymous, sums["amount"], sums["payments"])
    named: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    anonymous_total = [0, 0]
    for (payer, anonymous), (amount, payments) in totals.items():
        target = anonymous_total if anonymous else named[payer]
        target[0] += amount
        target[1] += payments
    from stagedoor.accounts.models import User

    logins = dict(User.objects.filter(pk__in=list(named)).values_list("pk", "login"))
    supporters = [
        Supporter(name=logins.get(payer, "(deleted)"), tokens=a, payments=n, anonymous=False)
        for payer, (a, n) in named.items()
    ]
    if anonymous_total[1]:
        supporters.append(Supporter("Anonymous", anonymous_total[0], anonymous_total[1], anonymous=True))
    supporters.sort(key=lambda s: (-s.tokens, s.name))

    minutes = [0] * days
    show_tokens = [0] * days
    for mrow in ShowMinutesDaily.objects.filter(performer_id=pid, day__gte=since).values("day", "minutes", "tokens"):
        if mrow["day"] in index:
            minutes[index[mrow["day"]]] += int(mrow["minutes"])
            show_tokens[index[mrow["day"]]] += int(mrow["tokens"])
    for (perf, day), sums in folded.minutes.items():
        if perf == pid and day in index:
            minutes[index[day]] += sums["minutes"]
            show_tokens[index[day]] += sums["tokens"]

    chatters = [0] * days
    for crow in ChatterDaily.objects.filter(performer_id=pid, day__gte=since).values("day").annotate(n=Count("id")):
        if crow["day"] in index:
            chatters[index[crow["day"]]] = int(crow["n"])
    payers = [len(payers_by_day.get(d, ())) for d in span]
    conversion = [round(p / c, 4) if c else None for p, c in zip(payers, chatters, strict=True)]
    return PerformerDashboard(
        days=days,
        labels=[d.isoformat() for d in span],
        earnings=earnings,
        earnings_total=sum(sum(s.values) for s in earnings),
        supporters=supporters[:top],
        minutes=minutes,
        show_tokens=show_tokens,
        payers=payers,
        chatters=chatters,
        conversion=conversion,
        complete=tail.complete,
    )


# --- the finance dashboard -------------------------------------------------------------------------


@dataclass
class ProviderRate:
    provider: str
    purchases: int
    chargebacks: int
    rate: float | None  # chargebacks ÷ purchases in the period


@dataclass
class FinanceDashboard:
    days: int
    labels: list[str]
    sales_tokens: list[int]
    sales_money: dict[str, list[int]]  # currency -> minor units per day
    revenue: list[Series]  # platform revenue by product, per day
    revenue_total: dict[str, int]
    providers: list[ProviderRate]
    earnings_owed: int  # performer earnings accounts (not yet in a payout run)
    reserves: int  # performers' rolling reserves
    payouts_owed: int  # payout clearing: in runs, not yet confirmed paid
    paid_out: list[int]  # tokens paid out to performers per day (returns net)
    wallets: int  # tokens held in viewer wallets
    holds: int  # tokens in open holds
    liabilities: list[int]  # wallets + holds at the end of each day
    complete: bool


def _kind_totals_before(kinds: Iterable[str], before: date) -> dict[str, int]:
    rows = (
        PlatformDaily.objects.filter(account_kind__in=list(kinds), day__lt=before)
        .values("account_kind")
        .annotate(s=Sum("amount"))
    )
    return {r["account_kind"]: int(r["s"] or 0) for r in rows}


def finance_dashboard(*, days: int = 30) -> FinanceDashboard:
    days = clamp_days(days)
    span = day_range(days)
    index = {d: i for i, d in enumerate(span)}
    since = span[0]
    tail = ledger_tail()
    folded = tail.folded

    sales_tokens = [0] * days
    sales_money: dict[str, list[int]] = {}
    per_provider: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def put_sale(day: date, provider: str, currency: str, sums: dict[str, Any]) -> None:
        if day not in index:
            return
        sales_tokens[index[day]] += sums.get("tokens", 0)
        if currency and sums.get("amount_minor"):
            sales_money.setdefault(currency, [0] * days)[index[day]] += sums["amount_minor"]
        per_provider[provider][0] += sums.get("purchases", 0)
        per_provider[provider][1] += sums.get("chargebacks", 0)

    for sale in SalesDaily.objects.filter(day__gte=since).values():
        put_sale(sale["day"], sale["provider"], sale["currency"], dict(sale))
    for (day, provider, currency), sums in folded.sales.items():
        put_sale(day, provider, currency, sums)
    providers = [ProviderRate(p, n, c, round(c / n, 4) if n else None) for p, (n, c) in sorted(per_provider.items())]

    labels_of = dict(Product.choices)
    revenue_by: dict[str, list[int]] = {}
    # liabilities: the balance of wallets and holds at each day's end = all folded before the range + daily
    kinds = (
        AccountKind.VIEWER_WALLET,
        AccountKind.HOLDS,
        AccountKind.PERFORMER_EARNINGS,
        AccountKind.PERFORMER_RESERVE,
        AccountKind.PAYOUT_CLEARING,
        AccountKind.PAID_OUT,
    )
    opening = _kind_totals_before(kinds, since)
    daily_kind: dict[str, list[int]] = {k: [0] * days for k in kinds}

    def put_platform(kind: str, day: date, product: str, amount: int) -> None:
        if day not in index:
            return
        if kind == AccountKind.PLATFORM_REVENUE:
            revenue_by.setdefault(product, [0] * days)[index[day]] += amount
        if kind in daily_kind:
            daily_kind[kind][index[day]] += amount

    for prow in PlatformDaily.objects.filter(day__gte=since).values("account_kind", "day", "product", "amount"):
        put_platform(prow["account_kind"], prow["day"], prow["product"], int(prow["amount"]))
    for (kind, day, product), sums in folded.platform.items():
        put_platform(kind, day, product, sums["amount"])
    running = {k: opening.get(k, 0) for k in kinds}
    liabilities = []
    for i in range(days):
        for k in kinds:
            running[k] += daily_kind[k][i]
        liabilities.append(running[AccountKind.VIEWER_WALLET] + running[AccountKind.HOLDS])
    revenue = [Series(p, str(labels_of.get(p, p)), v) for p, v in sorted(revenue_by.items()) if any(v)]
    return FinanceDashboard(
        days=days,
        labels=[d.isoformat() for d in span],
        sales_tokens=sales_tokens,
        sales_money=sales_money,
        revenue=revenue,
        revenue_total={s.key: sum(s.values) for s in revenue},
        providers=providers,
        earnings_owed=running[AccountKind.PERFORMER_EARNINGS],
        reserves=running[AccountKind.PERFORMER_RESERVE],
        payouts_owed=running[AccountKind.PAYOUT_CLEARING],
        paid_out=daily_kind[AccountKind.PAID_OUT],
        wallets=running[AccountKind.VIEWER_WALLET],
        holds=running[AccountKind.HOLDS],
        liabilities=liabilities,
        complete=tail.complete,
    )


def rollup_status() -> dict[str, Any]:
    cursor = RollupCursor.objects.filter(name=LEDGER_CURSOR).first()
    behind = LedgerEntry.objects.filter(id__gt=cursor.last_id if cursor else 0).count()
    return {
        "last_id": cursor.last_id if cursor else 0,
        "folded": cursor.folded if cursor else 0,
        "updated_at": cursor.updated_at if cursor else None,
        "behind": behind,
    }
