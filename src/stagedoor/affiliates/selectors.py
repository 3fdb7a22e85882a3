"""Reads of affiliates: who is an affiliate, links, the dashboard's figures, held commissions, due postbacks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.affiliates import errors
from stagedoor.affiliates.models import (
    Affiliate,
    Click,
    Commission,
    CommissionPlan,
    InboundCallback,
    Postback,
    Referral,
    ReferralLink,
)
from stagedoor.payments.models import Purchase
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet.models import AccountKind, LedgerTransfer

RANGES = (7, 30, 90)


def clamp_days(days: int) -> int:
    return days if days in RANGES else 30


# --- affiliates, plans, links --------------------------------------------------------------------------------


def affiliate_of(user: Any) -> Affiliate | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Affiliate.objects.select_related("plan", "user").filter(user_id=user.pk).first()


def access_affiliate(actor: Any) -> Affiliate:
    """The actor's own referral account, or NotAnAffiliate."""
    affiliate = affiliate_of(actor)
    if affiliate is None:
        raise errors.NotAnAffiliate()
    return affiliate


def affiliate_get(affiliate_id: str) -> Affiliate:
    found = Affiliate.objects.select_related("plan", "user").filter(pk=affiliate_id).first()
    if found is None:
        raise errors.AffiliateNotFound()
    return found


def plan_get(plan_id: str) -> CommissionPlan:
    found = CommissionPlan.objects.filter(pk=plan_id).first()
    if found is None:
        raise errors.PlanNotFound()
    return found


def plans_all() -> QuerySet[CommissionPlan]:
    return CommissionPlan.objects.all().order_by("name")


def performer_plan() -> CommissionPlan | None:
    return CommissionPlan.objects.filter(for_performers=True).first()


def links_of(affiliate: Affiliate) -> QuerySet[ReferralLink]:
    return affiliate.links.all().annotate(click_count=Count("clicks", distinct=True)).order_by("created_at")


def link_by_code(code: str) -> ReferralLink | None:
    """An active link of an active affiliate (what `/ref/<code>` follows), or None."""
    return (
        ReferralLink.objects.select_related("affiliate", "affiliate__plan")
        .filter(code=(code or "").lower()[:32], active=True, affiliate__status=Affiliate.Status.ACTIVE)
        .first()
    )


def click_get(click_id: int) -> Click | None:
    return Click.objects.select_related("link", "link__affiliate", "link__affiliate__plan").filter(pk=click_id).first()


def affiliates_for_staff(limit: int = 200) -> list[Affiliate]:
    return list(
        Affiliate.objects.select_related("user", "plan")
        .annotate(
            referral_count=Count("referrals", distinct=True),
            held_count=Count("commissions", filter=Q(commissions__status=Commission.Status.HELD), distinct=True),
        )
        .order_by("-created_at")[:limit]
    )


# --- fraud-rule counts ---------------------------------------------------------------------------------------


def signups_from(affiliate: Affiliate, *, device_key: str, network_key: str, since: datetime) -> tuple[int, int]:
    """(sign-ups from this device, from this network) referred by `affiliate` since `since`."""
    qs = Referral.objects.filter(affiliate=affiliate, created_at__gte=since)
    return (
        qs.filter(device_key=device_key).count() if device_key else 0,
        qs.filter(network_key=network_key).count() if network_key else 0,
    )


def own_click_keys(affiliate: Affiliate) -> tuple[set[str], set[str]]:
    """(address keys, device keys) the affiliate used when clicking their own links signed in."""
    rows = Click.objects.filter(link__affiliate=affiliate, visitor_id=affiliate.user_id).values_list(
        "address_key", "device_key"
    )[:500]
    return {a for a, _ in rows}, {d for _, d in rows}


# --- commissions ---------------------------------------------------------------------------------------------


def referral_of(user_id: str) -> Referral | None:
    return Referral.objects.select_related("affiliate", "affiliate__user", "plan").filter(user_id=user_id).first()


def commission_get(commission_id: str) -> Commission:
    found = (
        Commission.objects.select_related("affiliate", "affiliate__user", "referral").filter(pk=commission_id).first()
    )
    if found is None:
        raise errors.CommissionNotFound()
    return found


def commission_for_purchase(purchase_id: str) -> Commission | None:
    return Commission.objects.filter(purchase_id=purchase_id).first()


def commissions_held(limit: int = 200) -> list[Commission]:
    return list(
        Commission.objects.filter(status=Commission.Status.HELD)
        .select_related("affiliate__user", "referral__user")
        .order_by("created_at")[:limit]
    )


def commissions_of(affiliate: Affiliate, limit: int = 50) -> list[Commission]:
    return list(affiliate.commissions.select_related("referral__user").order_by("-created_at")[:limit])


def purchase_reversed(purchase_transfer_id: str) -> bool:
    """Whether the wallet has reversed (refunded, charged back) the purchase credited by this transfer."""
    return LedgerTransfer.objects.filter(reverses_id=purchase_transfer_id).exists()


@dataclass(frozen=True)
class Earnings:
    accrued: int  # in the ledger and not voided
    maturing: int  # accrued, inside the hold window
    payable: int  # accrued and matured
    held: int  # waiting for staff (fraud rules)
    voided: int
    ledger_balance: int  # the affiliate-payables account, from the ledger (equals `accrued` less held accruals)


def earnings_of(affiliate: Affiliate, *, now: datetime | None = None) -> Earnings:
    now = now or timezone.now()
    qs = affiliate.commissions.all()
    S = Commission.Status
    sums = qs.aggregate(
        accrued=Sum("tokens", filter=Q(status=S.ACCRUED)),
        maturing=Sum("tokens", filter=Q(status=S.ACCRUED, matures_at__gt=now)),
        held=Sum("tokens", filter=Q(status=S.HELD)),
        voided=Sum("tokens", filter=Q(status=S.VOIDED)),
    )
    accrued = int(sums["accrued"] or 0)
    maturing = int(sums["maturing"] or 0)
    account = wallet_selectors.account_of(affiliate.user, AccountKind.AFFILIATE_PAYABLES)
    return Earnings(
        accrued=accrued,
        maturing=maturing,
        payable=accrued - maturing,
        held=int(sums["held"] or 0),
        voided=int(sums["voided"] or 0),
        ledger_balance=wallet_selectors.balance_of(account),
    )


# --- the dashboard -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    days: int
    labels: list[str]
    clicks: list[int]
    signups: list[int]
    buyers: list[int]
    earnings: list[int]  # tokens of commissions not voided, by the day they were earned

    @property
    def totals(self) -> dict[str, int]:
        return {
            "clicks": sum(self.clicks),
            "signups": sum(self.signups),
            "buyers": sum(self.buyers),
            "earnings": sum(self.earnings),
        }

    def rows(self) -> list[list[Any]]:
        head: list[Any] = ["Day", "Clicks", "Sign-ups", "Buyers", "Earnings (tokens)"]
        return [head] + [
            [d, c, s, b, e]
            for d, c, s, b, e in zip(self.labels, self.clicks, self.signups, self.buyers, self.earnings, strict=True)
        ]


def _by_day(qs: QuerySet[Any], *, field: str, value: Any) -> dict[date, int]:
    rows = qs.annotate(day=TruncDate(field)).values("day").annotate(v=value).values_list("day", "v")
    out: dict[date, int] = defaultdict(int)
    for day, v in rows:
        out[day if isinstance(day, date) else date.fromisoformat(str(day))] += int(v or 0)
    return out


def dashboard(affiliate: Affiliate, *, days: int, today: date | None = None) -> Dashboard:
    """Clicks, sign-ups, buyers (referred people who bought that day) and earnings per UTC day, last `days` days."""
    days = clamp_days(days)
    today = today or timezone.now().date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    clicks = _by_day(
        Click.objects.filter(link__affiliate=affiliate, created_at__gte=start), field="created_at", value=Count("id")
    )
    signups = _by_day(
        Referral.objects.filter(affiliate=affiliate, created_at__gte=start), field="created_at", value=Count("id")
    )
    commissions = Commission.objects.filter(affiliate=affiliate, created_at__gte=start)
    bought = Purchase.objects.filter(
        buyer__referred_by__affiliate=affiliate, completed_at__isnull=False, completed_at__gte=start
    )
    buyers = _by_day(bought, field="completed_at", value=Count("buyer", distinct=True))
    earned = _by_day(commissions.exclude(status=Commission.Status.VOIDED), field="created_at", value=Sum("tokens"))
    span = [first + timedelta(days=i) for i in range(days)]
    return Dashboard(
        days=days,
        labels=[d.isoformat() for d in span],
        clicks=[clicks.get(d, 0) for d in span],
        signups=[signups.get(d, 0) for d in span],
        buyers=[buyers.get(d, 0) for d in span],
        earnings=[earned.get(d, 0) for d in span],
    )


# --- postbacks -----------------------------------------------------------------------------------------------


def postbacks_of(affiliate: Affiliate, limit: int = 30) -> list[Postback]:
    return list(affiliate.postbacks.prefetch_related("tries").order_by("-created_at")[:limit])


def postbacks_due(*, now: datetime, limit: int = 100) -> list[str]:
    return list(
        Postback.objects.filter(status=Postback.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def callbacks_recent(limit: int = 30) -> list[InboundCallback]:
    return list(InboundCallback.objects.select_related("affiliate__user").order_by("-received_at")[:limit])
