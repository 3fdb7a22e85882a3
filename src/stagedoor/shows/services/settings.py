"""A performer's show settings: prices within the platform's limits and which shows they offer."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from stagedoor.core.errors import ValidationFailed
from stagedoor.shows.models import ShowSettings
from stagedoor.shows.selectors.config import shows_config

RATE_FIELDS = ("private_rate", "group_rate", "spy_rate")
FLAG_FIELDS = ("private_enabled", "group_enabled", "spy_enabled", "cam2cam_enabled")


def show_settings_update(*, performer: Any, **changes: Any) -> ShowSettings:
    """Change some of the performer's settings. Rates must be whole tokens within `rate_min..rate_max`;
    a group's minimum 1–100. Unknown fields are refused; on any refusal nothing changes."""
    config = shows_config()
    problems: dict[str, list[str]] = {}
    for name, value in changes.items():
        if name in RATE_FIELDS:
            if isinstance(value, bool) or not isinstance(value, int) or not config.rate_min <= value <= config.rate_max:
                problems[name] = [f"Enter a whole number of tokens from {config.rate_min} to {config.rate_max}."]
        elif name == "group_minimum":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
                problems[name] = ["Enter a number of viewers from 1 to 100."]
        elif name in FLAG_FIELDS:
            if not isinstance(value, bool):
                problems[name] = ["Enter true or false."]
        else:
            problems[name] = ["Unknown setting."]
    if problems:
        raise ValidationFailed(extra={"fields": problems})
    with transaction.atomic():
        settings, _ = ShowSettings.objects.select_for_update().get_or_create(performer_id=performer.pk)
        for name, value in changes.items():
            setattr(settings, name, value)
        settings.save()
    return settings
