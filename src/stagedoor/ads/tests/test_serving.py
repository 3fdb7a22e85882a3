"""Serving and counting through the real endpoints: the slot a page fills, the impression beacon, the click redirect;
ad-free viewers; caps; budgets (total and daily) and what is billed; bots, prefetches and floods refused; nothing
counted twice."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.ads import services
from stagedoor.ads.models import AdEvent, Campaign, CampaignDay, CapCounter, DailyReport
from stagedoor.ads.tests.conftest import DESKTOP_UA, PHONE_UA, viewer, visitor
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.fans import services as fan_services
from stagedoor.wallet.tests.conftest import fund_wallet

pytestmark = pytest.mark.django_db
GEO = "CF-IPCountry"


@pytest.fixture(autouse=True)
def _geo_header(settings: Any) -> None:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, geo_header=GEO, redis_url=None)


def slot(client: Client, name: str = "directory", *, ua: str = DESKTOP_UA, country: str = "DE", **query: str) -> Any:
    response = client.get(
        f"/api/v1/ads/slots/{name}", query, HTTP_USER_AGENT=ua, HTTP_CF_IPCOUNTRY=country, HTTP_ACCEPT_LANGUAGE="de-DE"
    )
    assert response.status_code == 200, response.content
    return response.json()["ad"]


def beacon(client: Client, token: str, *, ua: str = DESKTOP_UA, ip: str = "203.0.113.7") -> Any:
    response = client.post(
        "/api/v1/ads/impressions",
        {"token": token},
        content_type="application/json",
        HTTP_USER_AGENT=ua,
        REMOTE_ADDR=ip,
    )
    return response


def report(campaign: Campaign, slot_name: str = "directory") -> tuple[int, int, int, int, int, int]:
    row = DailyReport.objects.filter(campaign=campaign, slot=slot_name, day=timezone.now().date()).first()
    if row is None:
        return (0, 0, 0, 0, 0, 0)
    return (row.impressions, row.clicks, row.spend_micros, row.unbilled, row.refused_impressions, row.refused_clicks)


def test_a_page_gets_an_ad_counts_its_impression_once_and_its_click_once(
    make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign(regions=["DE"], languages=["de"], slots=["directory"])
    client = visitor()
    ad = slot(client)
    assert ad["campaign_id"] == campaign.pk
    assert (ad["kind"], ad["width"], ad["height"], ad["alt_text"]) == ("image", 728, 90, "Lumen headsets: spring sale")
    assert ad["content_url"] == f"/ads/creative/{ad['creative_id']}.img"
    assert ad["click_url"].startswith("/ads/click/")
    assert slot(client, country="FR") is None  # targeted at Germany
    assert slot(client, "room") is None  # and at the directory only

    first = beacon(client, ad["impression_token"])
    again = beacon(client, ad["impression_token"])
    assert (first.status_code, first.json()) == (200, {"counted": True, "outcome": "billed"})
    assert again.json() == {"counted": False, "outcome": "duplicate"}
    campaign.refresh_from_db()
    assert campaign.spent_micros == 2_000  # CPM 2.00: 2,000 micros an impression, once

    click = client.get(ad["click_url"], HTTP_USER_AGENT=DESKTOP_UA, REMOTE_ADDR="203.0.113.7")
    click_again = client.get(ad["click_url"], HTTP_USER_AGENT=DESKTOP_UA, REMOTE_ADDR="203.0.113.7")
    assert (click.status_code, click["Location"]) == (302, "https://lumen.example/spring")
    assert (click_again.status_code, click_again["Location"]) == (302, "https://lumen.example/spring")
    assert list(AdEvent.objects.order_by("kind").values_list("kind", "outcome", "cost_micros", "decision_id")) == [
        ("click", "counted", 0, ad["decision_id"]),
        ("impression", "billed", 2_000, ad["decision_id"]),
    ]
    assert report(campaign) == (1, 1, 2_000, 0, 0, 0)


def test_bad_tokens_are_refused_and_change_nothing(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    client = visitor()
    ad = slot(client)
    forged = ad["impression_token"][:-2] + ("AA" if not ad["impression_token"].endswith("AA") else "BB")
    response = beacon(client, forged)
    assert (response.status_code, response.json()["code"]) == (422, "ads.bad_token")
    click_token = ad["click_url"].rsplit("/", 1)[1]
    as_impression = beacon(client, click_token)  # a click token is not an impression token
    assert as_impression.json()["code"] == "ads.bad_token"
    page = client.get("/ads/click/not-a-token", HTTP_USER_AGENT=DESKTOP_UA)
    assert page.status_code == 404
    assert "not valid or has expired" in page.content.decode()
    unknown = client.get("/api/v1/ads/slots/sidebar", HTTP_USER_AGENT=DESKTOP_UA)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "ads.unknown_slot")
    assert AdEvent.objects.count() == 0
    assert report(campaign) == (0, 0, 0, 0, 0, 0)
    campaign.refresh_from_db()
    assert campaign.spent_micros == 0


def test_bots_get_no_ads_and_their_beacons_and_clicks_do_not_count(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign(pricing="cpc", price_micros=150_000)
    client = visitor()
    assert slot(client, ua="Mozilla/5.0 (compatible; Googlebot/2.1)") is None
    ad = slot(client)
    bot_beacon = beacon(client, ad["impression_token"], ua="curl/8.5")
    assert bot_beacon.json() == {"counted": False, "outcome": "bot"}
    prefetch = client.head(ad["click_url"], HTTP_USER_AGENT=DESKTOP_UA)
    crawler = client.get(ad["click_url"], HTTP_USER_AGENT="Slackbot-LinkExpanding 1.0")
    assert (prefetch.status_code, crawler.status_code, crawler["Location"]) == (
        302,
        302,
        "https://lumen.example/spring",
    )
    assert AdEvent.objects.count() == 0
    assert report(campaign) == (0, 0, 0, 0, 1, 2)
    # the person's own click still counts afterwards, and bills the CPC price once
    human = client.get(ad["click_url"], HTTP_USER_AGENT=DESKTOP_UA)
    assert human.status_code == 302
    campaign.refresh_from_db()
    assert campaign.spent_micros == 150_000
    assert report(campaign) == (0, 1, 150_000, 0, 1, 2)


def test_a_click_flood_from_one_address_stops_counting(make_campaign: Callable[..., Campaign], settings: Any) -> None:
    settings.STAGEDOOR = dataclasses.replace(
        settings.STAGEDOOR, ads=dataclasses.replace(settings.STAGEDOOR.ads, clicks_per_minute=3)
    )
    campaign = make_campaign(pricing="cpc", price_micros=100_000)
    attacker, other = visitor(), visitor()
    links = [slot(attacker)["click_url"] for _ in range(5)]
    outcomes = [attacker.get(u, HTTP_USER_AGENT=DESKTOP_UA, REMOTE_ADDR="198.51.100.9").status_code for u in links]
    assert outcomes == [302] * 5  # everyone is sent on; only the first three count
    legit = other.get(slot(other)["click_url"], HTTP_USER_AGENT=DESKTOP_UA, REMOTE_ADDR="203.0.113.50")
    assert legit.status_code == 302
    campaign.refresh_from_db()
    assert campaign.spent_micros == 4 * 100_000
    assert AdEvent.objects.filter(kind="click").count() == 4
    assert report(campaign) == (0, 4, 400_000, 0, 0, 2)


def test_fan_club_members_see_no_ads_and_token_holders_only_if_the_operator_says_so(
    make_campaign: Callable[..., Campaign],
    make_user: Callable[..., Any],
    api_client: Callable[..., Client],
    settings: Any,
) -> None:
    make_campaign()
    performer = make_user("performer")
    fan_services.club_configure(performer=performer, price=100, enabled=True)
    fan, holder, plain = make_user(), make_user(), make_user()
    fund_wallet(fan, 100)
    fan_services.membership_join(user=fan, performer_id=performer.pk)
    fund_wallet(holder, 50)
    assert slot(api_client(fan)) is None
    assert slot(api_client(holder)) is not None
    assert slot(api_client(plain)) is not None
    settings.STAGEDOOR = dataclasses.replace(
        settings.STAGEDOOR, ads=dataclasses.replace(settings.STAGEDOOR.ads, token_holders_ad_free=True)
    )
    assert slot(api_client(holder)) is None
    assert slot(api_client(plain)) is not None


def test_the_frequency_cap_holds_per_viewer_per_day(
    make_campaign: Callable[..., Campaign], make_user: Callable[..., Any], api_client: Callable[..., Client]
) -> None:
    capped = make_campaign(frequency_cap=2, weight=1000)
    user = make_user()
    client = api_client(user)
    served = [slot(client, ua=PHONE_UA) for _ in range(3)]
    assert [ad["campaign_id"] if ad else None for ad in served] == [capped.pk, capped.pk, None]
    assert list(CapCounter.objects.values_list("viewer", "count")) == [(f"u:{user.pk}", 2)]
    other = api_client(make_user())
    assert slot(other)["campaign_id"] == capped.pk  # someone else's cap is their own


def test_the_budget_is_never_overspent_and_an_exhausted_campaign_leaves_the_index(
    make_campaign: Callable[..., Campaign],
) -> None:
    # CPM 2.00 = 2,000 micros an impression; a budget of 5,000 pays two impressions
    campaign = make_campaign(budget_micros=5_000)
    clients = [visitor() for _ in range(3)]
    ads = [slot(c) for c in clients]  # decided before any impression was counted
    assert all(ad is not None for ad in ads)
    outcomes = [beacon(c, ad["impression_token"]).json()["outcome"] for c, ad in zip(clients, ads, strict=True)]
    assert outcomes == ["billed", "billed", "over_budget"]
    campaign.refresh_from_db()
    assert (campaign.spent_micros, campaign.exhausted) == (4_000, True)
    assert report(campaign) == (3, 0, 4_000, 1, 0, 0)
    assert slot(visitor()) is None  # out of the index
    exhausted = OutboxEvent.objects.filter(topic="ads.budget_exhausted").values_list("payload", flat=True)
    assert list(exhausted) == [{"campaign_id": campaign.pk, "scope": "total", "day": "", "spent_micros": 4_000}]


def test_a_daily_budget_pauses_the_campaign_until_tomorrow(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign(budget_micros=1_000_000, daily_budget_micros=4_000)
    client = visitor()
    for _ in range(2):
        assert beacon(client, slot(client)["impression_token"]).json()["outcome"] == "billed"
    assert slot(client) is None  # 4,000 spent today: no room for another 2,000
    today = timezone.now().date()
    assert list(CampaignDay.objects.values_list("day", "spent_micros", "exhausted")) == [(today, 4_000, True)]
    campaign.refresh_from_db()
    assert (campaign.spent_micros, campaign.exhausted) == (4_000, False)
    # tomorrow it serves again (the index is per day)
    from stagedoor.ads import selectors

    tomorrow = selectors.build_index(today=today + dt.timedelta(days=1))
    assert [c.id for c in tomorrow.campaigns] == [campaign.pk]


def test_paused_and_ended_campaigns_stop_serving_and_each_change_is_audited(
    make_campaign: Callable[..., Campaign], ads_admin: Any
) -> None:
    campaign = make_campaign()
    client = visitor()
    assert slot(client)["campaign_id"] == campaign.pk
    services.campaign_set_status(actor=ads_admin, campaign_id=campaign.pk, action="pause")
    assert slot(client) is None
    services.campaign_set_status(actor=ads_admin, campaign_id=campaign.pk, action="activate")
    assert slot(client)["campaign_id"] == campaign.pk
    services.campaign_set_status(actor=ads_admin, campaign_id=campaign.pk, action="end")
    assert slot(client) is None
    actions = list(AuditEntry.objects.filter(target_id=campaign.pk).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "ads.campaign_create",
        "ads.campaign_activate",
        "ads.campaign_pause",
        "ads.campaign_activate",
        "ads.campaign_end",
    ]


def test_the_decision_in_the_service_with_a_viewer_object(make_campaign: Callable[..., Campaign]) -> None:
    phones = make_campaign(devices=["mobile"], categories=["cosplay"], name="Phones in cosplay rooms")
    assert services.ad_serve(slot="room", viewer=viewer(device="desktop"), categories=frozenset({"cosplay"})) is None
    served = services.ad_serve(slot="room", viewer=viewer(device="mobile"), categories=frozenset({"cosplay"}))
    assert served is not None and served.campaign_id == phones.pk
    assert services.ad_serve(slot="room", viewer=viewer(device="mobile"), categories=frozenset({"couples"})) is None
