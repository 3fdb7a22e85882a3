"""Reads of ads: the in-memory index the decision runs over (rebuilt when campaigns change), campaigns and
creatives for staff, and the daily reports for advertisers and staff."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from stagedoor.ads import errors
from stagedoor.ads.decision import AdIndex, CampaignEntry, CreativeEntry
from stagedoor.ads.models import Advertiser, Campaign, CampaignDay, Creative, DailyReport, IndexVersion

# --- the index --------------------------------------------------------------------------------------------------


def index_version() -> int:
    return int(IndexVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0)


def _frozen(values: Iterable[Any], *, upper: bool = False) -> frozenset[str]:
    return frozenset(str(v).upper() if upper else str(v).lower() for v in values)


def campaign_entry(c: Campaign, creatives: Iterable[Creative]) -> CampaignEntry:
    return CampaignEntry(
        id=c.pk,
        weight=c.weight,
        creatives=tuple(
            CreativeEntry(id=k.pk, kind=k.kind, width=k.width, height=k.height, alt_text=k.alt_text) for k in creatives
        ),
        starts_at=c.starts_at.timestamp(),
        ends_at=c.ends_at.timestamp() if c.ends_at else None,
        hours=frozenset(int(h) for h in c.hours),
        slots=_frozen(c.slots),
        regions=_frozen(c.regions, upper=True),
        devices=_frozen(c.devices),
        categories=_frozen(c.categories),
        languages=_frozen(c.languages),
        frequency_cap=c.frequency_cap,
    )


def build_index(*, today: dt.date | None = None) -> AdIndex:
    """Every campaign that may serve today: active, with budget left (in total and today), not ended, with at least
    one active creative. Schedules within the day and caps are checked per request by the decision."""
    now = timezone.now()
    today = today or now.date()
    version = index_version()
    spent_today = CampaignDay.objects.filter(day=today, exhausted=True).values("campaign_id")
    campaigns = (
        Campaign.objects.filter(status=Campaign.Status.ACTIVE, exhausted=False)
        .exclude(ends_at__lte=now)
        .exclude(pk__in=spent_today)
        .prefetch_related(
            Prefetch("creatives", queryset=Creative.objects.filter(active=True).order_by("created_at", "id"))
        )
        .order_by("created_at", "id")
    )
    return AdIndex((campaign_entry(c, c.creatives.all()) for c in campaigns), version=version)


@dataclass
class _Cached:
    index: AdIndex | None = None
    day: dt.date | None = None
    checked: float = 0.0


_cached = _Cached()
_lock = threading.Lock()


def current_index() -> AdIndex:
    """This process's index: rebuilt when the UTC day turns or the version row moved (looked at no more often than
    `STAGEDOOR_ADS_INDEX_REFRESH_S`), so serving reads the database once every few seconds, not per request."""
    now = time.monotonic()
    today = timezone.now().date()
    cached = _cached
    if (
        cached.index is not None
        and cached.day == today
        and now - cached.checked < settings.STAGEDOOR.ads.index_refresh_s
    ):
        return cached.index
    with _lock:
        if cached.index is None or cached.day != today or index_version() != cached.index.version:
            cached.index = build_index(today=today)
            cached.day = today
        cached.checked = time.monotonic()
        return cached.index


def forget_index() -> None:
    """Drop this process's index (the next request rebuilds it); other processes see the version row move."""
    with _lock:
        _cached.index = None


# --- campaigns and creatives ------------------------------------------------------------------------------------


def advertisers() -> QuerySet[Advertiser]:
    return Advertiser.objects.select_related("user").order_by("name")


def advertiser_by_id(advertiser_id: str) -> Advertiser:
    found = Advertiser.objects.select_related("user").filter(pk=advertiser_id).first()
    if found is None:
        raise errors.AdvertiserNotFound()
    return found


def advertisers_of(user: Any) -> QuerySet[Advertiser]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Advertiser.objects.none()
    return Advertiser.objects.filter(user=user).order_by("name")


def campaigns(*, advertiser: Advertiser | None = None, status: str = "") -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("advertiser").order_by("-created_at")
    if advertiser is not None:
        qs = qs.filter(advertiser=advertiser)
    if status:
        qs = qs.filter(status=status)
    return qs


def campaign_by_id(campaign_id: str) -> Campaign:
    found = Campaign.objects.select_related("advertiser").filter(pk=campaign_id).first()
    if found is None:
        raise errors.CampaignNotFound()
    return found


def creatives_of(campaign: Campaign) -> QuerySet[Creative]:
    return Creative.objects.filter(campaign=campaign).order_by("created_at", "id")


def creative_by_id(creative_id: str) -> Creative:
    found = Creative.objects.filter(pk=creative_id).first()
    if found is None:
        raise errors.CreativeNotFound()
    return found


def creative_click_url(creative_id: str) -> str | None:
    return Creative.objects.filter(pk=creative_id).values_list("click_url", flat=True).first()


def campaigns_active_count() -> int:
    return Campaign.objects.filter(status=Campaign.Status.ACTIVE, exhausted=False).count()


# --- reports ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    impressions: int
    clicks: int
    spend_micros: int
    unbilled: int
    refused_clicks: int
    refused_impressions: int

    @property
    def ctr_percent(self) -> str:
        return f"{100 * self.clicks / self.impressions:.2f}" if self.impressions else "0.00"


def report_rows(campaign_ids: Iterable[str], *, since: dt.date | None = None) -> QuerySet[DailyReport]:
    qs = DailyReport.objects.filter(campaign_id__in=list(campaign_ids)).select_related("campaign")
    if since is not None:
        qs = qs.filter(day__gte=since)
    return qs.order_by("-day", "campaign__name", "slot")


def totals(campaign_ids: Iterable[str], *, since: dt.date | None = None) -> Totals:
    sums = report_rows(campaign_ids, since=since).aggregate(
        impressions=Sum("impressions"),
        clicks=Sum("clicks"),
        spend_micros=Sum("spend_micros"),
        unbilled=Sum("unbilled"),
        refused_clicks=Sum("refused_clicks"),
        refused_impressions=Sum("refused_impressions"),
    )
    return Totals(**{k: int(v or 0) for k, v in sums.items()})


def advertiser_report(user: Any, *, since: dt.date | None = None) -> list[tuple[Advertiser, list[Campaign], Any]]:
    """What the advertiser page shows a signed-in person: each advertiser they belong to, its campaigns and daily
    rows. Raises NotAnAdvertiser for anyone else."""
    mine = list(advertisers_of(user))
    if not mine:
        raise errors.NotAnAdvertiser()
    out = []
    for adv in mine:
        camps = list(campaigns(advertiser=adv))
        out.append((adv, camps, list(report_rows([c.pk for c in camps], since=since))))
    return out


def access_report(user: Any, campaign_id: str, *, staff: bool) -> Campaign:
    """A campaign whose report `user` may read: staff with the report permission, or the advertiser's account."""
    campaign = campaign_by_id(campaign_id)
    if staff or (campaign.advertiser.user_id is not None and campaign.advertiser.user_id == getattr(user, "pk", None)):
        return campaign
    raise errors.CampaignNotFound()  # not yours: as if it did not exist
