"""ads' part of data-subject requests (core.privacy_registry).

What ads holds about a person: the advertisers their account reads reports of, the ad events (impressions and
clicks) counted while they were signed in, and today's frequency-cap counters keyed by their account. Erasure
unlinks the events (the counts and spend stay: they are what advertisers are billed for) and the advertisers (the
business stays), and deletes the cap counters.
"""

from __future__ import annotations

from typing import Any

from stagedoor.ads.models import AdEvent, Advertiser, CapCounter
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)


def export_ads(user: Any) -> ExportData:
    return {
        "advertiser_accounts": rows(
            Advertiser.objects.filter(user=user).order_by("name"), ["id", "name", "created_at"]
        ),
        "ad_events": rows(
            AdEvent.objects.filter(user=user).order_by("created_at"),
            ["id", "kind", "outcome", "campaign_id", "creative_id", "slot", "created_at"],
        ),
        "ad_frequency_counters": rows(
            CapCounter.objects.filter(viewer=f"u:{user.pk}").order_by("day"), ["campaign_id", "day", "count"]
        ),
    }


def erase_ads(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    user = ctx.user
    if ctx.held:
        result.keep("ad events and advertiser links", "legal hold", AdEvent.objects.filter(user=user).count())
        return result
    result.changed += AdEvent.objects.filter(user=user).update(user=None)
    result.changed += Advertiser.objects.filter(user=user).update(user=None)
    deleted, _ = CapCounter.objects.filter(viewer=f"u:{user.pk}").delete()
    result.changed += deleted
    return result


register_exporter("ads", export_ads)
register_eraser("ads", erase_ads)
