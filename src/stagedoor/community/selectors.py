"""Reads of community: events, contests and their leaderboards, levels and badges.

A leaderboard is computed when it is read, from the records the money and the streams leave behind — the ledger's
tip rows (`wallet.Tip`, one per tip transfer, written in the transaction that moves the tokens) less their
reversals, and the broadcasts' start and end times — inside the contest window. There is no counter to drift: a
tip is on the leaderboard as soon as its transaction commits, and a refund takes it off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.community import errors, levels
from stagedoor.community.models import BadgeAward, Contest, ContestEntry, Event, EventEntry, UserLevel
from stagedoor.rooms.models import Room
from stagedoor.verification.models import Broadcast
from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, Tip, TipReversal, TransferKind

# what counts as spending, on a viewer's wallet (holds count while held; a release gives them back)
SPEND_KINDS = (TransferKind.TIP, TransferKind.TIP_REFUND, TransferKind.CHARGE, TransferKind.HOLD)
SPEND_BACK_KINDS = (TransferKind.HOLD_RELEASE,)
# what counts as earning, on a performer's earnings account (refunds and chargebacks take it back; payouts don't)
EARN_KINDS = (
    TransferKind.TIP,
    TransferKind.TIP_REFUND,
    TransferKind.CHARGE,
    TransferKind.HOLD_CAPTURE,
    TransferKind.CHARGEBACK,
)
EVENT_SOON = timedelta(hours=24)


# --- events ---------------------------------------------------------------------------------------------------


def events_upcoming(*, now: datetime | None = None, limit: int = 50) -> QuerySet[Event]:
    """Events not over and not cancelled, soonest first."""
    now = now or timezone.now()
    return Event.objects.filter(cancelled_at__isnull=True, ends_at__gt=now).order_by("starts_at", "slug")[:limit]


def events_for_directory(*, now: datetime | None = None) -> list[Event]:
    """The events on now or starting within a day: the directory's event chips."""
    now = now or timezone.now()
    return list(
        Event.objects.filter(cancelled_at__isnull=True, ends_at__gt=now, starts_at__lte=now + EVENT_SOON).order_by(
            "starts_at", "slug"
        )[:6]
    )


def event_by_slug(slug: str) -> Event:
    event = Event.objects.filter(slug=slug[:40]).first()
    if event is None:
        raise errors.EventNotFound()
    return event


def event_by_slug_or_none(slug: str) -> Event | None:
    return Event.objects.filter(slug=slug[:40]).first()


def event_get(event_id: str) -> Event:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise errors.EventNotFound()
    return event


def event_is_open(event: Event, *, now: datetime | None = None) -> bool:
    return event.cancelled_at is None and event.ends_at > (now or timezone.now())


def event_performer_ids(slug: str) -> list[str]:
    """The performers who opted in to the event (the directory's `?event=` filter); none for an unknown one."""
    return [str(pk) for pk in EventEntry.objects.filter(event__slug=slug[:40]).values_list("performer_id", flat=True)]


def event_performers(event: Event) -> list[dict[str, Any]]:
    entries = list(EventEntry.objects.filter(event=event).select_related("performer").order_by("joined_at", "id"))
    slugs = _room_slugs([e.performer_id for e in entries])
    return [_person(e.performer, slugs) for e in entries]


def events_entered(performer: Any) -> set[str]:
    return set(EventEntry.objects.filter(performer=performer).values_list("event_id", flat=True))


def events_for_staff(*, limit: int = 100) -> list[Event]:
    return list(Event.objects.order_by("-starts_at", "slug")[:limit])


def event_entry_counts(event_ids: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for event_id in EventEntry.objects.filter(event_id__in=list(event_ids)).values_list("event_id", flat=True):
        counts[event_id] += 1
    return dict(counts)


# --- contests -------------------------------------------------------------------------------------------------


def contest_by_slug(slug: str) -> Contest:
    contest = Contest.objects.select_related("event").filter(slug=slug[:40]).first()
    if contest is None:
        raise errors.ContestNotFound()
    return contest


def contest_get(contest_id: str) -> Contest:
    contest = Contest.objects.select_related("event").filter(pk=contest_id).first()
    if contest is None:
        raise errors.ContestNotFound()
    return contest


def contest_is_open(contest: Contest, *, now: datetime | None = None) -> bool:
    return contest.cancelled_at is None and contest.ends_at > (now or timezone.now())


def contest_state(contest: Contest, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if contest.cancelled_at is not None:
        return "cancelled"
    if now < contest.starts_at:
        return "upcoming"
    return "running" if now < contest.ends_at else "ended"


def contests_current(*, now: datetime | None = None, limit: int = 20) -> list[Contest]:
    """Contests not cancelled that are running or starting soon, or ended in the last week (their results)."""
    now = now or timezone.now()
    return list(
        Contest.objects.filter(cancelled_at__isnull=True, ends_at__gt=now - timedelta(days=7))
        .select_related("event")
        .order_by("-ends_at", "slug")[:limit]
    )


def contests_of_event(event: Event) -> list[Contest]:
    return list(Contest.objects.filter(event=event, cancelled_at__isnull=True).order_by("starts_at", "slug"))


def contests_entered(performer: Any) -> set[str]:
    return set(ContestEntry.objects.filter(performer=performer).values_list("contest_id", flat=True))


def contests_of_performer(performer_id: Any, *, now: datetime | None = None) -> list[Contest]:
    """The running contests a performer is in (their room shows their rank)."""
    now = now or timezone.now()
    return list(
        Contest.objects.filter(
            entries__performer_id=performer_id, cancelled_at__isnull=True, starts_at__lte=now, ends_at__gt=now
        ).order_by("ends_at", "slug")[:3]
    )


def contests_for_staff(*, limit: int = 100) -> list[Contest]:
    return list(Contest.objects.select_related("event").order_by("-starts_at", "slug")[:limit])


@dataclass(frozen=True)
class Standing:
    rank: int
    performer_id: str
    login: str
    name: str
    room_slug: str
    score: int


def _room_slugs(performer_ids: Iterable[Any]) -> dict[str, str]:
    return {
        str(pk): slug
        for pk, slug in Room.objects.filter(performer_id__in=list(performer_ids)).values_list("performer_id", "slug")
    }


def _person(user: User, slugs: dict[str, str]) -> dict[str, Any]:
    return {
        "performer_id": str(user.pk),
        "login": user.login,
        "name": user.shown_name,
        "room_slug": slugs.get(str(user.pk), ""),
    }


def tip_totals(performer_ids: list[str], start: datetime, end: datetime) -> dict[str, int]:
    """Tokens each performer received in tips in [start, end): the tips, less what was refunded or clawed back."""
    totals: dict[str, int] = defaultdict(int)
    window = Q(created_at__gte=start, created_at__lt=end)
    for performer_id, amount in (
        Tip.objects.filter(window, performer_id__in=performer_ids)
        .values("performer_id")
        .annotate(s=Sum("amount"))
        .values_list("performer_id", "s")
    ):
        totals[str(performer_id)] += int(amount or 0)
    for performer_id, amount in (
        TipReversal.objects.filter(tip__performer_id__in=performer_ids, tip__created_at__gte=start)
        .filter(tip__created_at__lt=end)
        .values("tip__performer_id")
        .annotate(s=Sum("amount"))
        .values_list("tip__performer_id", "s")
    ):
        totals[str(performer_id)] -= int(amount or 0)
    return dict(totals)


def seconds_live(performer_ids: list[str], start: datetime, end: datetime, *, now: datetime) -> dict[str, int]:
    """Seconds each performer was on air inside [start, end) (a broadcast still on air counts until `now`)."""
    totals: dict[str, int] = defaultdict(int)
    rows = Broadcast.objects.filter(performer_id__in=performer_ids, started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    for performer_id, started, ended in rows.values_list("performer_id", "started_at", "ended_at"):
        stop = min(ended or now, end, now)
        seconds = int((stop - max(started, start)).total_seconds())
        if seconds > 0:
            totals[str(performer_id)] += seconds
    return dict(totals)


def leaderboard(contest: Contest, *, now: datetime | None = None, limit: int = 50) -> list[Standing]:
    """Every entrant's score in the contest window, best first (ties: who entered first)."""
    now = now or timezone.now()
    entries = list(ContestEntry.objects.filter(contest=contest).select_related("performer").order_by("joined_at", "id"))
    ids = [str(e.performer_id) for e in entries]
    if contest.metric == Contest.Metric.MINUTES:
        scores = {pk: s // 60 for pk, s in seconds_live(ids, contest.starts_at, contest.ends_at, now=now).items()}
    else:
        scores = tip_totals(ids, contest.starts_at, contest.ends_at)
    slugs = _room_slugs(ids)
    order = sorted(range(len(entries)), key=lambda i: (-scores.get(ids[i], 0), i))
    standings: list[Standing] = []
    for position, i in enumerate(order[:limit], start=1):
        user = entries[i].performer
        standings.append(
            Standing(
                rank=position,
                performer_id=ids[i],
                login=user.login,
                name=user.shown_name,
                room_slug=slugs.get(ids[i], ""),
                score=scores.get(ids[i], 0),
            )
        )
    return standings


# --- levels and badges ----------------------------------------------------------------------------------------


def _account_id(user_id: Any, kind: str) -> str | None:
    return LedgerAccount.objects.filter(kind=kind, owner_id=user_id).values_list("id", flat=True).first()


def _entries_sum(account_id: str | None, kinds: Iterable[str]) -> int:
    if account_id is None:
        return 0
    total = LedgerEntry.objects.filter(account_id=account_id, transfer__kind__in=list(kinds)).aggregate(
        s=Sum("amount")
    )["s"]
    return int(total or 0)


def tokens_spent(user_id: Any) -> int:
    """Tokens the person spent from their wallet (tips, shows, fan clubs, messages; less refunds and releases)."""
    wallet = _account_id(user_id, AccountKind.VIEWER_WALLET)
    return max(0, -_entries_sum(wallet, SPEND_KINDS) - _entries_sum(wallet, SPEND_BACK_KINDS))


def tokens_earned(user_id: Any) -> int:
    """Tokens a performer earned (their share of tips, shows and other sales; less refunds and chargebacks)."""
    return max(0, _entries_sum(_account_id(user_id, AccountKind.PERFORMER_EARNINGS), EARN_KINDS))


def seconds_streamed(user_id: Any, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    total = 0
    for started, ended in Broadcast.objects.filter(performer_id=user_id).values_list("started_at", "ended_at"):
        total += max(0, int(((ended or now) - started).total_seconds()))
    return total


def level_of(user_id: Any) -> UserLevel | None:
    return UserLevel.objects.filter(user_id=user_id).first()


def badges_of(user_id: Any, *, limit: int = 50) -> list[BadgeAward]:
    return list(BadgeAward.objects.filter(user_id=user_id).order_by("-awarded_at", "-id")[:limit])


def badge_exists(user_id: Any, rule: str, period: str = "") -> bool:
    return BadgeAward.objects.filter(user_id=user_id, rule=rule, period=period).exists()


def month_of(at: datetime) -> str:
    return f"{at:%Y-%m}"


def month_bounds(period: str) -> tuple[datetime, datetime]:
    year, month = (int(x) for x in period.split("-"))
    start = datetime(year, month, 1, tzinfo=timezone.get_current_timezone())
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=start.tzinfo)
    return start, end


def previous_month(now: datetime) -> str:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return month_of(first - timedelta(days=1))


def top_supporter_period(performer_id: Any, month: str) -> str:
    return f"{month}:{performer_id}"


def is_top_supporter(user_id: Any, performer_id: Any, *, now: datetime | None = None) -> bool:
    """Whether the person was the performer's top supporter last month (the "Top supporter" chat badge)."""
    month = previous_month(now or timezone.now())
    return badge_exists(user_id, levels.TOP_SUPPORTER, top_supporter_period(performer_id, month))


def top_supporters(month: str) -> dict[str, tuple[str, int]] | None:
    """Per performer, the person who spent the most on them in the month (anonymous tips left out): the analytics
    roll-up's daily rows plus the entries it has not folded yet. None while the roll-up is too far behind to say."""
    from stagedoor.analytics.models import SupportDaily
    from stagedoor.analytics.selectors import ledger_tail

    start, end = month_bounds(month)
    first, last = start.date(), (end - timedelta(days=1)).date()
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for performer_id, payer_id, amount in (
        SupportDaily.objects.filter(day__gte=first, day__lte=last, anonymous=False)
        .values("performer_id", "payer_id")
        .annotate(s=Sum("amount"))
        .values_list("performer_id", "payer_id", "s")
    ):
        sums[(performer_id, payer_id)] += int(amount or 0)
    tail = ledger_tail()
    if not tail.complete:
        return None
    for (performer_id, day, payer_id, anonymous), deltas in tail.folded.support.items():
        if not anonymous and isinstance(day, date) and first <= day <= last:
            sums[(performer_id, payer_id)] += int(deltas.get("amount", 0))
    best: dict[str, tuple[str, int]] = {}
    for (performer_id, payer_id), amount in sorted(sums.items()):
        if amount <= 0 or payer_id == performer_id:
            continue
        if performer_id not in best or amount > best[performer_id][1]:
            best[performer_id] = (payer_id, amount)
    return best


def profile_user(login: str) -> User:
    user = User.objects.filter(login__iexact=login[:40], is_active=True).first()
    if user is None:
        raise errors.ProfileNotFound()
    return user


@dataclass(frozen=True)
class Profile:
    user: User
    level: UserLevel | None
    viewer_progress: levels.Progress
    badges: list[BadgeAward]
    is_performer: bool


def profile_of(user: User) -> Profile:
    level = level_of(user.pk)
    return Profile(
        user=user,
        level=level,
        viewer_progress=levels.viewer_progress(level.tokens_spent if level else 0),
        badges=badges_of(user.pk),
        is_performer=user.role == "performer",
    )
