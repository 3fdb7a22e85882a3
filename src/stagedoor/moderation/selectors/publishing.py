"""Whether trust & safety lets a performer go live: the PUBLISH gate's reading (see `moderation/hooks.py`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from stagedoor.moderation.models import Case, Sanction
from stagedoor.moderation.selectors.cases import ACTIVE

#: a stream ended on a prohibited-content match stays off the air until a moderator has decided its case
UNDER_REVIEW_SOURCES = (Case.Source.HASH_MATCH,)


def publish_block(user: Any, room: Any) -> str | None:
    """Why `user` may not broadcast `room` now ("suspended" | "under_review"), or None."""
    now = timezone.now()
    suspended = Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        user=user,
        kind=Sanction.Kind.SUSPENSION,
        lifted_at__isnull=True,
    ).exists()
    if suspended:
        return "suspended"
    if room is not None and (
        Case.objects.filter(
            room=room,
            source__in=UNDER_REVIEW_SOURCES,
            category="prohibited_content",
            status__in=ACTIVE,
        ).exists()
    ):
        return "under_review"
    return None
