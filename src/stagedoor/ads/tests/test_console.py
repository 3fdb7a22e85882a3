"""The staff console's ads section: finance reads, admins create advertisers, campaigns and banners, and start them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from stagedoor.ads.models import Advertiser, Campaign, Creative
from stagedoor.ads.tests.conftest import banner_png
from stagedoor.wallet.tests.conftest import consent

pytestmark = pytest.mark.django_db


def staff(user: Any) -> Client:
    consent(user)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_an_admin_sets_up_and_starts_a_campaign_from_the_console(ads_admin: Any) -> None:
    client = staff(ads_admin)
    assert client.get("/staff/ads/").status_code == 200
    made = client.post("/staff/ads/", {"form": "advertiser", "name": "Nightowl Energy", "account": ""})
    assert made.status_code == 302
    advertiser = Advertiser.objects.get(name="Nightowl Energy")
    created = client.post(
        "/staff/ads/",
        {
            "form": "campaign",
            "advertiser": advertiser.pk,
            "name": "Late shows",
            "pricing": "cpm",
            "price": "3.50",
            "budget": "100",
            "daily_budget": "",
            "starts_at": "2026-01-01 00:00",
            "hours": "22 23 0 1",
            "slots": ["room"],
            "regions": "DE AT",
            "devices": [],
            "categories": "",
            "languages": "de",
            "frequency_cap": "4",
            "weight": "100",
        },
    )
    campaign = Campaign.objects.get(name="Late shows")
    assert created["Location"] == f"/staff/ads/campaigns/{campaign.pk}/"
    assert (campaign.price_micros, campaign.budget_micros, campaign.hours, campaign.regions) == (
        3_500_000,
        100_000_000,
        [0, 1, 22, 23],
        ["AT", "DE"],
    )
    banner = SimpleUploadedFile("late.png", banner_png(size=(300, 250)), content_type="image/png")
    added = client.post(
        f"/staff/ads/campaigns/{campaign.pk}/",
        {
            "form": "creative",
            "kind": "image",
            "name": "Owl",
            "alt_text": "Nightowl",
            "click_url": "https://owl.example",
            "image": banner,
        },
    )
    assert added.status_code == 302
    assert Creative.objects.filter(campaign=campaign).count() == 1
    client.post(f"/staff/ads/campaigns/{campaign.pk}/status", {"action": "activate"})
    campaign.refresh_from_db()
    assert campaign.status == "active"
    page = client.get(f"/staff/ads/campaigns/{campaign.pk}/").content.decode()
    assert "Late shows" in page and "0 impressions · 0 clicks" in page


def test_a_wrong_campaign_form_shows_the_problems_and_saves_nothing(ads_admin: Any, advertiser: Advertiser) -> None:
    response = staff(ads_admin).post(
        "/staff/ads/",
        {
            "form": "campaign",
            "advertiser": advertiser.pk,
            "name": "X",
            "pricing": "cpm",
            "price": "1.0005",
            "budget": "10",
            "starts_at": "2026-01-01 00:00",
            "regions": "Germany",
            "frequency_cap": "0",
            "weight": "1",
        },
    )
    assert response.status_code == 200
    assert Campaign.objects.count() == 0
    page = response.content.decode()
    assert 'data-testid="error-regions"' in page and 'data-testid="error-price"' in page


def test_finance_reads_but_cannot_change(make_user: Callable[..., Any], make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    finance = staff(make_user("finance"))
    assert finance.get(f"/staff/ads/campaigns/{campaign.pk}/").status_code == 200
    refused = finance.post(f"/staff/ads/campaigns/{campaign.pk}/status", {"action": "pause"})
    assert refused.status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "active"
    assert staff(make_user("support_l1")).get("/staff/ads/").status_code == 403
