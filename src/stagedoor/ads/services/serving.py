"""Serving ads and counting what happens to them.

- `ad_serve`: who is asking (ad-free viewers and bots get nothing), the pure decision over this process's index,
  then the frequency cap reserved on an atomic counter (a refused reservation tries the next best, at most five
  times; this process remembers the refusal for the rest of the day, so a capped viewer costs no read per request).
- `impression_record`: the page's beacon once the ad was in view (IntersectionObserver), with the signed token.
- `click_record`: the click redirect. Bots, prefetches and floods from one address are refused (counted as
  refused, never billed); a decision's impression and its click each count once (a unique row per decision and
  kind), so a replayed token counts nothing twice.

A counted event and its charge are one transaction: the campaign's spend rises by one conditional UPDATE
(`spent + cost <= budget`, and the same for the day's spend under a daily budget), so nodes cannot overspend
between them; an event the budget cannot pay is counted but not billed, and the campaign leaves the index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from stagedoor.accounts.ratelimit import caller_key, limiter
from stagedoor.ads import errors, selectors
from stagedoor.ads.counters import cap_counters
from stagedoor.ads.decision import SLOTS, AdRequest, Choice, decide, is_bot
from stagedoor.ads.events import BUDGET_EXHAUSTED
from stagedoor.ads.models import AdEvent, Campaign, CampaignDay, DailyReport
from stagedoor.ads.services.campaigns import index_bump
from stagedoor.ads.tokens import AdToken, click_token, impression_token, read_click_token, read_impression_token
from stagedoor.core import jobs
from stagedoor.core.geo import Location
from stagedoor.core.ids import new_id
from stagedoor.core.outbox import outbox_publish
from stagedoor.fans.selectors import ad_free
from stagedoor.wallet.selectors import wallet_balance

log = logging.getLogger("stagedoor.ads")
IMPRESSIONS_PER_MINUTE = 120  # beacons one address may send in a minute that still count
_rng = random.Random()
_purged: dict[str, dt.date] = {}
RESERVE_TRIES = 5


class _AtCap:
    """What this process learned today: campaigns a viewer is at the cap of (a reservation was refused).

    The counters decide (one atomic reservation per capped ad served); this memo only spares a viewer who hit caps
    the refused reservations on the next requests to this process, without reading their counts per request. A
    viewer new to this process may cost a refused reservation per capped campaign once. Bounded: cleared when full.
    """

    MAX_VIEWERS = 100_000

    def __init__(self) -> None:
        self.day: dt.date | None = None
        self.by_viewer: dict[str, dict[str, int]] = {}
        self.lock = threading.Lock()

    def of(self, viewer: str, day: dt.date) -> dict[str, int]:
        if self.day != day:
            return {}
        return self.by_viewer.get(viewer, {})

    def add(self, viewer: str, day: dt.date, campaign_id: str, cap: int) -> dict[str, int]:
        with self.lock:
            if self.day != day or len(self.by_viewer) >= self.MAX_VIEWERS:
                self.day, self.by_viewer = day, {}
            known = {**self.by_viewer.get(viewer, {}), campaign_id: cap}
            self.by_viewer[viewer] = known
            return known

    def clear(self) -> None:
        with self.lock:
            self.day, self.by_viewer = None, {}


_at_cap = _AtCap()


@dataclass(frozen=True)
class Viewer:
    """Who asks for an ad, as the page's request tells it."""

    user: Any  # a signed-in user, or None
    session_key: str
    ip: str
    user_agent: str
    location: Location
    device: str
    language: str

    @property
    def key(self) -> str:
        """Whose frequency caps count: the account, else the browser session, else address and browser."""
        if self.user is not None:
            return f"u:{self.user.pk}"
        if self.session_key:
            return "s:" + hashlib.sha256(f"{settings.SECRET_KEY}:{self.session_key}".encode()).hexdigest()[:32]
        return "a:" + hashlib.sha256(f"{settings.SECRET_KEY}:{self.ip}:{self.user_agent}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class ServedAd:
    decision_id: str
    campaign_id: str
    creative_id: str
    kind: str
    width: int
    height: int
    alt_text: str
    content_url: str
    click_url: str
    impression_token: str


def no_ads_for(user: Any) -> bool:
    """Fan-club members (any club, in good standing) see no ads; with the setting on, neither do token holders."""
    if user is None:
        return False
    if ad_free(user_id=user.pk):
        return True
    return bool(settings.STAGEDOOR.ads.token_holders_ad_free and wallet_balance(user) > 0)


def content_url(creative_id: str, kind: str) -> str:
    return reverse("ads:frame" if kind == "html5" else "ads:image", args=[creative_id])


def ad_serve(*, slot: str, viewer: Viewer, categories: frozenset[str] = frozenset()) -> ServedAd | None:
    if slot not in SLOTS:
        raise errors.UnknownSlot()
    if is_bot(viewer.user_agent) or no_ads_for(viewer.user):
        return None
    index = selectors.current_index()
    request = AdRequest(
        slot=slot,
        device=viewer.device,
        country=viewer.location.country,
        subdivision=viewer.location.subdivision,
        language=viewer.language,
        categories=categories,
    )
    now = timezone.now()
    day = now.date()
    if _purged.get("day") != day:  # the first ad of a new day in this process: old cap counters can go
        _purged["day"] = day
        jobs.enqueue("ads.caps_purge")
    counters = cap_counters()
    served = _at_cap.of(viewer.key, day)
    choice: Choice | None = None
    for _ in range(RESERVE_TRIES):
        choice = decide(index, request, now=now.timestamp(), served_today=served, rng=_rng.random)
        if choice is None:
            return None
        cap = choice.campaign.frequency_cap
        if not cap or counters.reserve(viewer.key, day, choice.campaign.id, cap):
            break
        served = _at_cap.add(viewer.key, day, choice.campaign.id, cap)  # at its cap: the next best
        choice = None
    if choice is None:
        return None
    decision_id = new_id()
    token = AdToken(
        decision_id=decision_id,
        campaign_id=choice.campaign.id,
        creative_id=choice.creative.id,
        slot=slot,
        user_id=str(viewer.user.pk) if viewer.user is not None else "",
    )
    return ServedAd(
        decision_id=decision_id,
        campaign_id=choice.campaign.id,
        creative_id=choice.creative.id,
        kind=choice.creative.kind,
        width=choice.creative.width,
        height=choice.creative.height,
        alt_text=choice.creative.alt_text,
        content_url=content_url(choice.creative.id, choice.creative.kind),
        click_url=reverse("ads:click", args=[click_token(token)]),
        impression_token=impression_token(token),
    )


# --- counting ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    outcome: str  # billed | counted | over_budget | bot | flood | duplicate
    cost_micros: int = 0

    @property
    def counted(self) -> bool:
        return self.outcome in (AdEvent.Outcome.BILLED, AdEvent.Outcome.COUNTED, AdEvent.Outcome.OVER_BUDGET)


DUPLICATE = "duplicate"


class _Unpaid(Exception):
    """The budget (total or today's) cannot pay this event: undo the part of the charge already made."""


def _exhaust(campaign: Campaign, *, scope: str, day: dt.date) -> None:
    """Take the campaign out of the index (once: the UPDATE that flips the flag publishes)."""
    if scope == "total":
        flipped = Campaign.objects.filter(pk=campaign.pk, exhausted=False).update(exhausted=True)
    else:
        flipped = CampaignDay.objects.filter(campaign=campaign, day=day, exhausted=False).update(exhausted=True)
    if flipped:
        spent = (
            Campaign.objects.filter(pk=campaign.pk).values_list("spent_micros", flat=True).get()
            if scope == "total"
            else CampaignDay.objects.filter(campaign=campaign, day=day).values_list("spent_micros", flat=True).get()
        )
        outbox_publish(
            topic=BUDGET_EXHAUSTED,
            payload={
                "campaign_id": campaign.pk,
                "scope": scope,
                "day": day.isoformat() if scope == "day" else "",
                "spent_micros": int(spent),
            },
        )
        index_bump()


def _charge(campaign: Campaign, cost: int, day: dt.date) -> bool:
    """Add `cost` to the campaign's spend (and today's, under a daily budget) if both budgets allow it."""
    try:
        with transaction.atomic():
            if campaign.daily_budget_micros:
                CampaignDay.objects.get_or_create(campaign=campaign, day=day)
                paid_today = CampaignDay.objects.filter(
                    campaign=campaign, day=day, spent_micros__lte=campaign.daily_budget_micros - cost
                ).update(spent_micros=F("spent_micros") + cost)
                if not paid_today:
                    raise _Unpaid("day")
            paid = Campaign.objects.filter(pk=campaign.pk, spent_micros__lte=F("budget_micros") - cost).update(
                spent_micros=F("spent_micros") + cost
            )
            if not paid:
                raise _Unpaid("total")
    except _Unpaid as unpaid:
        _exhaust(campaign, scope=str(unpaid), day=day)
        return False
    # no budget left for one more: stop serving now rather than show ads nobody pays for
    if Campaign.objects.filter(pk=campaign.pk, spent_micros__gt=F("budget_micros") - cost).exists():
        _exhaust(campaign, scope="total", day=day)
    if (
        campaign.daily_budget_micros
        and CampaignDay.objects.filter(
            campaign=campaign, day=day, spent_micros__gt=campaign.daily_budget_micros - cost
        ).exists()
    ):
        _exhaust(campaign, scope="day", day=day)
    return True


def _roll_up(token: AdToken, day: dt.date, **increments: int) -> None:
    changes = {name: F(name) + n for name, n in increments.items() if n}
    if not changes:
        return
    rows = DailyReport.objects.filter(campaign_id=token.campaign_id, slot=token.slot, day=day)
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            DailyReport.objects.create(campaign_id=token.campaign_id, slot=token.slot, day=day, **increments)
    except IntegrityError:  # another event made the row first
        rows.update(**changes)


def _count(token: AdToken, kind: str, refusal: str = "") -> Counted:
    day = timezone.now().date()
    clicks = kind == AdEvent.Kind.CLICK
    if refusal:
        with transaction.atomic():
            _roll_up(token, day, **{"refused_clicks" if clicks else "refused_impressions": 1})
        return Counted(refusal)
    campaign = Campaign.objects.filter(pk=token.campaign_id).first()
    if campaign is None:
        raise errors.BadToken()
    try:
        with transaction.atomic():
            cost = campaign.cost_of(kind)
            if not cost:
                outcome = AdEvent.Outcome.COUNTED
            elif _charge(campaign, cost, day):
                outcome = AdEvent.Outcome.BILLED
            else:
                outcome, cost = AdEvent.Outcome.OVER_BUDGET, 0
            AdEvent.objects.create(
                decision_id=token.decision_id,
                kind=kind,
                outcome=outcome,
                campaign_id=token.campaign_id,
                creative_id=token.creative_id,
                slot=token.slot,
                user_id=token.user_id or None,
                cost_micros=cost,
            )
            _roll_up(
                token,
                day,
                **{"clicks" if clicks else "impressions": 1},
                spend_micros=cost,
                unbilled=int(outcome == AdEvent.Outcome.OVER_BUDGET),
            )
    except IntegrityError:
        if AdEvent.objects.filter(decision_id=token.decision_id, kind=kind).exists():
            return Counted(DUPLICATE)  # this decision's event was counted already; everything above is undone
        raise
    return Counted(outcome, cost)


def _address_allows(rule: str, ip: str, limit: int) -> bool:
    return limiter().hit(f"ads-{rule}:{caller_key(user_id=None, bearer='', ip=ip)}", limit=limit, window_s=60).allowed


def impression_record(*, raw_token: str, user_agent: str, ip: str) -> Counted:
    """The page saw the ad in view. Counted once per decision; bots and floods of beacons are refused."""
    token = read_impression_token(raw_token)
    refusal = ""
    if is_bot(user_agent):
        refusal = AdEvent.Outcome.BOT
    elif not _address_allows("impression", ip, IMPRESSIONS_PER_MINUTE):
        refusal = AdEvent.Outcome.FLOOD
    return _count(token, AdEvent.Kind.IMPRESSION, refusal)


@dataclass(frozen=True)
class Click:
    url: str
    counted: Counted


def click_record(*, raw_token: str, method: str, user_agent: str, ip: str) -> Click:
    """Where the click goes (always the banner's address, for a valid token) and whether it counted."""
    token = read_click_token(raw_token)
    url = selectors.creative_click_url(token.creative_id)
    if url is None:
        raise errors.BadToken()
    refusal = ""
    if method != "GET" or is_bot(user_agent):
        refusal = AdEvent.Outcome.BOT  # a crawler, or a link prefetch (HEAD)
    elif not _address_allows("click", ip, settings.STAGEDOOR.ads.clicks_per_minute):
        refusal = AdEvent.Outcome.FLOOD
    return Click(url=url, counted=_count(token, AdEvent.Kind.CLICK, refusal))
