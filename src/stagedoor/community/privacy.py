"""community's part of data-subject requests (core.privacy_registry).

Export: the person's badges, levels, and the events and contests they entered. Erasure deletes all of it: badges
and levels are derived from the ledger (which keeps the financial records), entries are opt-ins. Under a legal
hold on the account nothing changes.
"""

from __future__ import annotations

from typing import Any

from stagedoor.community.models import BadgeAward, ContestEntry, EventEntry, UserLevel
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)


def export_community(user: Any) -> ExportData:
    return {
        "badges": rows(BadgeAward.objects.filter(user=user).order_by("awarded_at"), ["rule", "period", "awarded_at"]),
        "levels": rows(
            UserLevel.objects.filter(user=user),
            ["tokens_spent", "viewer_level", "seconds_streamed", "tokens_earned", "performer_level", "computed_at"],
        ),
        "events_entered": rows(
            EventEntry.objects.filter(performer=user).order_by("joined_at"), ["event_id", "joined_at"]
        ),
        "contests_entered": rows(
            ContestEntry.objects.filter(performer=user).order_by("joined_at"), ["contest_id", "joined_at"]
        ),
    }


def _count(user: Any) -> int:
    return (
        BadgeAward.objects.filter(user=user).count()
        + UserLevel.objects.filter(user=user).count()
        + EventEntry.objects.filter(performer=user).count()
        + ContestEntry.objects.filter(performer=user).count()
    )


def erase_community(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    if ctx.held:
        result.keep("badges, levels and event and contest entries", "legal hold on the account", _count(ctx.user))
        return result
    result.changed += BadgeAward.objects.filter(user=ctx.user).delete()[0]
    result.changed += UserLevel.objects.filter(user=ctx.user).delete()[0]
    result.changed += EventEntry.objects.filter(performer=ctx.user).delete()[0]
    result.changed += ContestEntry.objects.filter(performer=ctx.user).delete()[0]
    return result


register_exporter("community", export_community)
register_eraser("community", erase_community)
