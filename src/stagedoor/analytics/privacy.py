"""analytics' part of data-subject requests (core.privacy_registry).

Rollups are counts; the only per-person rows are the days someone chatted in a room (`ChatterDaily`, by account
id). After erasure that id is the tombstone's, so the rows name no one and are kept for the counts.
"""

from __future__ import annotations

from typing import Any

from stagedoor.analytics.models import ChatterDaily
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)


def export_analytics(user: Any) -> ExportData:
    return {
        "chat_days": rows(ChatterDaily.objects.filter(user_id=str(user.pk)).order_by("day"), ["day", "performer_id"]),
    }


def erase_analytics(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.keep(
        "days chatted per room, by account id only (counts of distinct chatters)",
        "statistics with no identifying field once the account is a tombstone (GDPR Recital 26, Art. 89)",
        ChatterDaily.objects.filter(user_id=str(ctx.user.pk)).count(),
    )
    return result


register_exporter("analytics", export_analytics)
register_eraser("analytics", erase_analytics)
