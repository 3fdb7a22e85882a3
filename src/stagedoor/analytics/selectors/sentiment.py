"""Reads of chat sentiment: a room's (or the platform's) trend by day and by hour, and rooms compared.

Only sums over many lines are shown. A day or an hour with fewer than MIN_MESSAGES scored lines shows its line
count alone (no mean, no split): with one or two lines a "mean" would be the judgement of a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from stagedoor.analytics.models import RollupCursor, SentimentHourly
from stagedoor.analytics.selectors.dashboards import clamp_days, day_range
from stagedoor.analytics.sentiment_model import SCALE
from stagedoor.core.ids import id_timestamp_ms

SENTIMENT_CURSOR = "sentiment"
MIN_MESSAGES = 5
HOURS = 48
_SUMS = {
    "m": Sum("messages"),
    "p": Sum("positive"),
    "u": Sum("neutral"),
    "n": Sum("negative"),
    "c": Sum("compound_micro"),
}


def _dicts(rows: Iterable[Any]) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class Bucket:
    messages: int
    positive: int | None  # None below MIN_MESSAGES
    neutral: int | None
    negative: int | None
    mean: float | None  # mean compound score in [-1, 1]; None below MIN_MESSAGES


def _bucket(row: Mapping[str, Any] | None) -> Bucket:
    if row is None or not row["m"]:
        return Bucket(0, None, None, None, None)
    m = int(row["m"])
    if m < MIN_MESSAGES:
        return Bucket(m, None, None, None, None)
    return Bucket(m, int(row["p"]), int(row["u"]), int(row["n"]), round(int(row["c"]) / SCALE / m, 4))


@dataclass
class SentimentTrend:
    days: int
    labels: list[str]  # UTC days, oldest first
    by_day: list[Bucket]
    hour_labels: list[str]  # the last HOURS hours ("2025-05-01 14:00"), oldest first
    by_hour: list[Bucket]
    period: Bucket  # the whole range
    scored_until: datetime | None  # lines newer than this are not counted yet (None: never run)

    @property
    def day_rows(self) -> list[tuple[str, Bucket]]:
        """(day, bucket), newest first, for the pages' tables."""
        return list(reversed(list(zip(self.labels, self.by_day, strict=True))))


def scored_until() -> datetime | None:
    key = RollupCursor.objects.filter(name=SENTIMENT_CURSOR).values_list("last_key", flat=True).first()
    return datetime.fromtimestamp(id_timestamp_ms(key) / 1000, tz=UTC) if key else None


def _rows(performer_id: str | None) -> QuerySet[SentimentHourly]:
    rows = SentimentHourly.objects.all()
    return rows.filter(performer_id=performer_id) if performer_id is not None else rows


def sentiment_trend(*, performer_id: str | None = None, days: int = 30, now: datetime | None = None) -> SentimentTrend:
    """One performer's room (or, with no performer, every room together): by UTC day over `days`, by hour over
    the last HOURS hours, and the whole period."""
    now = now or timezone.now()
    days = clamp_days(days)
    span: list[date] = day_range(days, today=now.astimezone(UTC).date())
    since = datetime.combine(span[0], datetime.min.time(), tzinfo=UTC)
    rows = _rows(performer_id).filter(hour__gte=since)
    per_day = {
        r["day"]: r for r in _dicts(rows.annotate(day=TruncDate("hour", tzinfo=UTC)).values("day").annotate(**_SUMS))
    }
    last_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [last_hour - timedelta(hours=h) for h in range(HOURS - 1, -1, -1)]
    per_hour = {r["hour"]: r for r in _dicts(rows.filter(hour__gte=hours[0]).values("hour").annotate(**_SUMS))}
    return SentimentTrend(
        days=days,
        labels=[d.isoformat() for d in span],
        by_day=[_bucket(per_day.get(d)) for d in span],
        hour_labels=[f"{h:%Y-%m-%d %H}:00" for h in hours],
        by_hour=[_bucket(per_hour.get(h)) for h in hours],
        period=_bucket(rows.aggregate(**_SUMS)),
        scored_until=scored_until(),
    )


@dataclass(frozen=True)
class RoomSentiment:
    room_id: str
    slug: str
    performer: str
    bucket: Bucket


def rooms_sentiment(*, days: int = 30, limit: int = 50, now: datetime | None = None) -> list[RoomSentiment]:
    """The busiest rooms of the period (at least MIN_MESSAGES scored lines), each with its period's figures."""
    from stagedoor.rooms.models import Room

    now = now or timezone.now()
    span = day_range(clamp_days(days), today=now.astimezone(UTC).date())
    since = datetime.combine(span[0], datetime.min.time(), tzinfo=UTC)
    rows = _dicts(
        SentimentHourly.objects.filter(hour__gte=since)
        .values("room_id")
        .annotate(**_SUMS)
        .filter(Q(m__gte=MIN_MESSAGES))
        .order_by(F("m").desc(), "room_id")[:limit]
    )
    rooms = _dicts(Room.objects.filter(id__in=[r["room_id"] for r in rows]).values("id", "slug", "performer__login"))
    by_id = {r["id"]: r for r in rooms}
    return [
        RoomSentiment(
            room_id=r["room_id"],
            slug=str(by_id.get(r["room_id"], {}).get("slug", "(deleted)")),
            performer=str(by_id.get(r["room_id"], {}).get("performer__login", "(deleted)")),
            bucket=_bucket(r),
        )
        for r in rows
    ]


def room_by_slug(slug: str) -> tuple[str, str, str] | None:
    """(room id, slug, performer id) of a room, for the staff page's drill-down."""
    from stagedoor.rooms.models import Room

    row = Room.objects.filter(slug=slug[:30]).values_list("id", "slug", "performer_id").first()
    return (str(row[0]), str(row[1]), str(row[2])) if row else None
