"""ads' exporter and eraser: a viewer's counted ad events and cap counters, an advertiser account's link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.ads import services
from stagedoor.ads.models import AdEvent, Advertiser, Campaign, CapCounter, DailyReport
from stagedoor.ads.privacy import erase_ads, export_ads
from stagedoor.ads.tests.conftest import viewer
from stagedoor.core.privacy_registry import EraseContext

pytestmark = pytest.mark.django_db


def test_export_then_erase_keeps_the_counts(
    make_user: Callable[..., Any], make_campaign: Callable[..., Campaign], advertiser: Advertiser
) -> None:
    person = make_user()
    Advertiser.objects.filter(pk=advertiser.pk).update(user=person)
    campaign = make_campaign(frequency_cap=5)
    ad = services.ad_serve(slot="directory", viewer=viewer(person))
    assert ad is not None
    services.impression_record(raw_token=ad.impression_token, user_agent=viewer().user_agent, ip="203.0.113.7")
    data = export_ads(person)
    assert [a["name"] for a in data["advertiser_accounts"]] == ["Lumen Headsets"]
    assert [(e["kind"], e["outcome"], e["campaign_id"]) for e in data["ad_events"]] == [
        ("impression", "billed", campaign.pk)
    ]
    assert [(c["campaign_id"], c["count"]) for c in data["ad_frequency_counters"]] == [(campaign.pk, 1)]

    result = erase_ads(EraseContext(user=person, tombstone="erased_x"))
    assert result.changed == 3
    assert AdEvent.objects.get().user_id is None
    assert Advertiser.objects.get().user_id is None
    assert CapCounter.objects.count() == 0
    assert DailyReport.objects.get().impressions == 1  # what the advertiser was billed for stays
    assert export_ads(person) == {"advertiser_accounts": [], "ad_events": [], "ad_frequency_counters": []}
