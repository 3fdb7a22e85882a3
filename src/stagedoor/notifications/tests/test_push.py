"""Quiet hours (pure): inside or outside the window, windows across midnight, a DST change in the person's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from stagedoor.notifications.push import quiet_until

BERLIN = ZoneInfo("Europe/Berlin")


def test_outside_the_window_nothing_is_held() -> None:
    now = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)  # 12:00 in Berlin
    assert quiet_until(now=now, zone="Europe/Berlin", start=time(22, 0), end=time(7, 0)) is None
    assert quiet_until(now=now, zone="Europe/Berlin", start=time(13, 0), end=time(14, 0)) is None
    assert quiet_until(now=now, zone="Europe/Berlin", start=None, end=None) is None


def test_a_window_across_midnight() -> None:
    late = datetime(2025, 6, 2, 21, 30, tzinfo=UTC)  # 23:30 in Berlin: held until 07:00 tomorrow
    assert quiet_until(now=late, zone="Europe/Berlin", start=time(22, 0), end=time(7, 0)) == datetime(
        2025, 6, 3, 7, 0, tzinfo=BERLIN
    )
    early = datetime(2025, 6, 3, 3, 0, tzinfo=UTC)  # 05:00 in Berlin: held until 07:00 today
    assert quiet_until(now=early, zone="Europe/Berlin", start=time(22, 0), end=time(7, 0)) == datetime(
        2025, 6, 3, 7, 0, tzinfo=BERLIN
    )


def test_a_window_within_a_day_and_its_end_is_exclusive() -> None:
    now = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo
    assert quiet_until(now=now, zone="Asia/Tokyo", start=time(20, 0), end=time(23, 0)) == datetime(
        2025, 6, 2, 23, 0, tzinfo=ZoneInfo("Asia/Tokyo")
    )
    at_end = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo
    assert quiet_until(now=at_end, zone="Asia/Tokyo", start=time(20, 0), end=time(23, 0)) is None


def test_the_end_is_read_on_the_local_clock_across_a_dst_change() -> None:
    # the night clocks go forward in Berlin (30 March 2025, 02:00 → 03:00): 07:00 local is 05:00 UTC, not 06:00
    now = datetime(2025, 3, 29, 23, 0, tzinfo=UTC)  # 00:00 CET
    until = quiet_until(now=now, zone="Europe/Berlin", start=time(22, 0), end=time(7, 0))
    assert until is not None and until.astimezone(UTC) == datetime(2025, 3, 30, 5, 0, tzinfo=UTC)
