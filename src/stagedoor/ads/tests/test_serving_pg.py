"""On PostgreSQL, as two web nodes would: many impressions of one campaign counted at once never spend past its
budget or its daily budget, the same token beaconed at once counts once, and a viewer's frequency cap holds when
their requests race. Skipped on SQLite (one writer at a time there; the point is PostgreSQL's row locks)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from stagedoor.ads import services
from stagedoor.ads.models import AdEvent, Campaign, CampaignDay, CapCounter, DailyReport
from stagedoor.ads.tests.conftest import DESKTOP_UA, viewer
from stagedoor.conftest import race, skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only(settings: Any) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")
    import dataclasses

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, redis_url=None)  # the database's counters


def _tokens(n: int) -> list[str]:
    out = []
    for i in range(n):
        ad = services.ad_serve(slot="directory", viewer=viewer(session_key=f"s{i}"))
        assert ad is not None
        out.append(ad.impression_token)
    return out


def _beacon(token: str) -> str:
    return services.impression_record(raw_token=token, user_agent=DESKTOP_UA, ip="203.0.113.7").outcome


def test_racing_impressions_never_overspend(make_campaign: Callable[..., Campaign]) -> None:
    # 2,000 micros an impression; 7,000 pays three of the eight that race
    campaign = make_campaign(budget_micros=7_000)
    outcomes = race([partial(_beacon, t) for t in _tokens(8)])
    assert sorted(outcomes) == ["billed"] * 3 + ["over_budget"] * 5
    campaign.refresh_from_db()
    assert (campaign.spent_micros, campaign.exhausted) == (6_000, True)
    row = DailyReport.objects.get(campaign=campaign)
    assert (row.impressions, row.spend_micros, row.unbilled) == (8, 6_000, 5)


def test_racing_impressions_hold_the_daily_budget(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign(budget_micros=1_000_000, daily_budget_micros=5_000)
    outcomes = race([partial(_beacon, t) for t in _tokens(6)])
    assert sorted(outcomes) == ["billed"] * 2 + ["over_budget"] * 4
    assert list(CampaignDay.objects.values_list("spent_micros", "exhausted")) == [(4_000, True)]
    campaign.refresh_from_db()
    assert campaign.spent_micros == 4_000


def test_one_token_beaconed_at_once_counts_once(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    [token] = _tokens(1)
    outcomes = race([partial(_beacon, token) for _ in range(6)])
    assert sorted(outcomes) == ["billed"] + ["duplicate"] * 5
    assert AdEvent.objects.count() == 1
    campaign.refresh_from_db()
    assert campaign.spent_micros == 2_000


def test_a_viewers_racing_requests_keep_the_cap(make_campaign: Callable[..., Campaign], make_user: Any) -> None:
    campaign = make_campaign(frequency_cap=3)
    person = make_user()
    served = race([partial(services.ad_serve, slot="directory", viewer=viewer(person)) for _ in range(8)])
    assert sum(1 for s in served if isinstance(s, services.ServedAd)) == 3
    assert all(s is None for s in served if not isinstance(s, services.ServedAd))
    assert list(CapCounter.objects.values_list("campaign_id", "count")) == [(campaign.pk, 3)]
