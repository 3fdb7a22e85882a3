"""A person's notification preferences: channels, quiet hours and the time zone they are read in."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import time
from typing import Any

from django.db import transaction

from stagedoor.notifications import errors
from stagedoor.notifications.models import Preference


@functools.cache
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _minute(t: time | None) -> time | None:
    return t.replace(second=0, microsecond=0, tzinfo=None) if t is not None else None


def preference_set(
    *,
    user: Any,
    push_enabled: bool,
    email_enabled: bool,
    quiet_start: time | None,
    quiet_end: time | None,
    timezone: str,
) -> Preference:
    """Save all of the person's preferences at once (none of them on a bad value)."""
    zone = (timezone or "").strip()
    if zone not in timezones():
        raise errors.InvalidTimezone(extra={"timezone": zone[:64]})
    if (quiet_start is None) != (quiet_end is None) or (quiet_start is not None and quiet_start == quiet_end):
        raise errors.InvalidQuietHours()
    with transaction.atomic():
        pref, _ = Preference.objects.select_for_update().get_or_create(user_id=user.pk)
        pref.push_enabled = push_enabled
        pref.email_enabled = email_enabled
        pref.quiet_start = _minute(quiet_start)
        pref.quiet_end = _minute(quiet_end)
        pref.timezone = zone
        pref.save()
    return pref
