"""SLA targets per priority and business-hours arithmetic (pure: no Django).

A target is counted in business minutes: only the minutes inside the configured hours (UTC) on the configured
ISO weekdays run the clock. With hours 0-24 on all seven days the clock is the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

# (first response, resolution) in business minutes
TARGETS: dict[str, tuple[int, int]] = {
    "urgent": (30, 4 * 60),
    "high": (2 * 60, 12 * 60),
    "normal": (8 * 60, 48 * 60),
    "low": (24 * 60, 5 * 24 * 60),
}


def add_business_minutes(start: datetime, minutes: int, *, hours: tuple[int, int], days: Iterable[int]) -> datetime:
    """The moment `minutes` business minutes after `start`."""
    open_days = frozenset(days)
    if not open_days:
        raise ValueError("no business days")
    first, last = hours
    if first == 0 and last == 24 and len(open_days) == 7:
        return start + timedelta(minutes=minutes)
    at = start.astimezone(UTC)
    left = float(minutes)
    for _ in range(3700):  # ten years of days: a bound, never reached with sane targets
        day_open = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=first)
        day_close = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=last)
        if at.isoweekday() in open_days and at < day_close:
            begin = max(at, day_open)
            available = (day_close - begin).total_seconds() / 60
            if left <= available:
                return begin + timedelta(minutes=left)
            left -= available
        at = at.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    raise ValueError("SLA target out of range")


def due_times(
    created: datetime, priority: str, *, hours: tuple[int, int], days: Iterable[int]
) -> tuple[datetime, datetime]:
    first, resolve = TARGETS[priority]
    days = frozenset(days)
    return (
        add_business_minutes(created, first, hours=hours, days=days),
        add_business_minutes(created, resolve, hours=hours, days=days),
    )


def countdown(due: datetime, now: datetime) -> str:
    """ "in 1 h 20 min" / "overdue by 5 min" — what the queue shows next to a due time."""
    seconds = int((due - now).total_seconds())
    late = seconds < 0
    minutes = abs(seconds) // 60
    hours, rest = divmod(minutes, 60)
    text = f"{hours} h {rest:02d} min" if hours else f"{rest} min"
    return f"overdue by {text}" if late else f"in {text}"
