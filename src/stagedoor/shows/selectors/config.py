"""The shows configuration (`settings.STAGEDOOR.shows`, from STAGEDOOR_SHOWS_* variables)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from stagedoor.core.config.shows import ShowsConfig


def shows_config() -> ShowsConfig:
    config: ShowsConfig = settings.STAGEDOOR.shows
    return config


def minute_length() -> timedelta:
    return timedelta(seconds=shows_config().minute_seconds)


def bill_ahead() -> timedelta:
    """How long before `paid_until` the next minute is charged: `bill_ahead_s`, but never more than half a
    minute (with test-length minutes of 2 s a 5 s lead would pay several minutes ahead)."""
    config = shows_config()
    return timedelta(seconds=min(float(config.bill_ahead_s), config.minute_seconds / 2))


def discounted_rate(rate: int, discount_bp: int) -> int:
    """`rate` less a fan's discount (basis points), rounded in the viewer's favour, never below 1 token."""
    discount_bp = max(0, min(10_000, int(discount_bp)))
    return max(1, rate * (10_000 - discount_bp) // 10_000)
