"""Staff set up ads over the API; bad input is refused with its code and changes nothing; banners are cleaned
(metadata stripped) or sanitised (no script) and an HTML5 banner is served sandboxed with a strict CSP; reports are
for staff and the advertiser's own account only."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from stagedoor.ads.models import Advertiser, Campaign, Creative
from stagedoor.ads.tests.conftest import banner_png, visitor
from stagedoor.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CAMPAIGN = {
    "name": "Autumn launch",
    "pricing": "cpc",
    "price_micros": 250_000,
    "budget_micros": 50_000_000,
    "daily_budget_micros": 5_000_000,
    "starts_at": "2026-01-01T00:00:00Z",
    "ends_at": "2026-03-01T00:00:00Z",
    "hours": [20, 18, 19],
    "slots": ["room"],
    "regions": ["de", "US-TX"],
    "devices": ["mobile"],
    "categories": ["#Cosplay"],
    "languages": ["DE", "en"],
    "frequency_cap": 3,
    "weight": 200,
}


@pytest.fixture
def admin_client(ads_admin: Any, api_client: Callable[..., Client]) -> Client:
    return api_client(ads_admin)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_staff_set_up_a_campaign_with_targeting_and_a_banner(admin_client: Client, make_user: Any) -> None:
    account = make_user(login="lumen_marketing")
    adv = _post(admin_client, "/api/v1/ads/advertisers", {"name": "Lumen  Headsets", "user_id": "lumen_marketing"})
    assert adv.status_code == 201
    assert (adv.json()["name"], adv.json()["user_id"]) == ("Lumen Headsets", str(account.pk))
    created = _post(admin_client, "/api/v1/ads/campaigns", {**CAMPAIGN, "advertiser_id": adv.json()["id"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("status", "hours", "regions", "categories", "languages", "spent_micros")} == {
        "status": "draft",
        "hours": [18, 19, 20],
        "regions": ["DE", "US-TX"],
        "categories": ["cosplay"],
        "languages": ["de", "en"],
        "spent_micros": 0,
    }
    no_banner = _post(admin_client, f"/api/v1/ads/campaigns/{body['id']}/status", {"action": "activate"})
    assert (no_banner.status_code, no_banner.json()["code"]) == (409, "ads.no_creatives")
    banner = _post(
        admin_client,
        f"/api/v1/ads/campaigns/{body['id']}/creatives",
        {
            "kind": "image",
            "name": "Square",
            "click_url": "https://lumen.example/autumn",
            "alt_text": "Lumen autumn launch",
            "image_base64": base64.b64encode(banner_png(size=(300, 250))).decode(),
        },
    )
    assert banner.status_code == 201, banner.content
    assert (banner.json()["width"], banner.json()["height"], banner.json()["sanitised"]) == (300, 250, False)
    started = _post(admin_client, f"/api/v1/ads/campaigns/{body['id']}/status", {"action": "activate"})
    assert started.json()["status"] == "active"
    assert admin_client.get("/api/v1/ads/campaigns").json()[0]["id"] == body["id"]
    assert [c["name"] for c in admin_client.get(f"/api/v1/ads/campaigns/{body['id']}/creatives").json()] == ["Square"]
    actions = list(
        AuditEntry.objects.filter(action__startswith="ads.").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["ads.advertiser_create", "ads.campaign_create", "ads.creative_add", "ads.campaign_activate"]


def test_invalid_campaigns_name_every_wrong_field_and_save_nothing(
    admin_client: Client, advertiser: Advertiser
) -> None:
    bad = {
        **CAMPAIGN,
        "advertiser_id": advertiser.pk,
        "pricing": "cpm",
        "price_micros": 2_500_001,  # not whole micros an impression
        "ends_at": "2025-12-31T00:00:00Z",
        "hours": [25],
        "slots": ["sidebar"],
        "regions": ["Germany"],
        "devices": ["fridge"],
        "languages": ["english"],
        "weight": 0,
    }
    response = _post(admin_client, "/api/v1/ads/campaigns", bad)
    assert (response.status_code, response.json()["code"]) == (422, "ads.invalid_campaign")
    assert sorted(response.json()["extra"]["fields"]) == [
        "devices",
        "ends_at",
        "hours",
        "languages",
        "price_micros",
        "regions",
        "slots",
        "weight",
    ]
    assert Campaign.objects.count() == 0
    assert not AuditEntry.objects.filter(action="ads.campaign_create").exists()


def test_a_budget_below_what_is_spent_is_refused(admin_client: Client, make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    Campaign.objects.filter(pk=campaign.pk).update(spent_micros=600_000)
    update = {**CAMPAIGN, "pricing": "cpm", "price_micros": 2_000_000, "budget_micros": 500_000}
    response = admin_client.put(f"/api/v1/ads/campaigns/{campaign.pk}", update, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (422, "ads.invalid_campaign")
    campaign.refresh_from_db()
    assert (campaign.budget_micros, campaign.name) == (1_000_000, "Spring sale")


def test_a_banner_with_script_is_sanitised_and_served_sandboxed(
    admin_client: Client, make_campaign: Callable[..., Campaign]
) -> None:
    campaign = make_campaign()
    html = (
        '<div onclick="steal()" style="color:#fff">Win <b>big</b><script>document.cookie</script>'
        '<img src="https://tracker.example/p.gif" onerror="x()"><a href="javascript:alert(1)">go</a>'
        "<iframe src=https://evil.example></iframe></div>"
    )
    response = _post(
        admin_client,
        f"/api/v1/ads/campaigns/{campaign.pk}/creatives",
        {
            "kind": "html5",
            "name": "Tricky",
            "click_url": "https://lumen.example",
            "alt_text": "Win big",
            "html": html,
            "width": 300,
            "height": 250,
        },
    )
    assert response.status_code == 201, response.content
    creative = Creative.objects.get(pk=response.json()["id"])
    assert creative.sanitised is True
    assert creative.html == '<div style="color:#fff">Win <b>big</b><img>go</div>'
    frame = visitor().get(response.json()["content_url"])
    assert frame.status_code == 200
    assert frame["Content-Security-Policy"] == (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
    )
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert b"<script" not in frame.content and b"onclick" not in frame.content
    assert b'<div style="color:#fff">Win <b>big</b><img>go</div>' in frame.content


def test_banners_that_cannot_be_used_are_refused(admin_client: Client, make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    url = f"/api/v1/ads/campaigns/{campaign.pk}/creatives"
    base: dict[str, Any] = {"name": "B", "click_url": "https://lumen.example", "alt_text": "B"}
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {**base, "kind": "image", "image_base64": base64.b64encode(b"GIF89a not really").decode()},
            "ads.creative_rejected",
        ),
        ({**base, "kind": "image", "image_base64": "!!!"}, "ads.creative_rejected"),
        (
            {**base, "kind": "html5", "html": "<script>alert(1)</script>", "width": 300, "height": 250},
            "ads.creative_rejected",
        ),
        ({**base, "kind": "html5", "html": "<b>hi</b>", "width": 5, "height": 250}, "ads.creative_rejected"),
        ({**base, "kind": "image", "click_url": "javascript:alert(1)", "image_base64": ""}, "ads.creative_rejected"),
    ]
    for body, code in cases:
        response = _post(admin_client, url, body)
        assert (response.status_code, response.json()["code"]) == (422, code), body
    assert Creative.objects.filter(campaign=campaign).count() == 1  # the fixture's banner only


def test_an_image_banner_loses_its_metadata(admin_client: Client, make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign()
    image = Image.new("RGB", (320, 50), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    assert b"SecretCam" in out.getvalue()
    response = _post(
        admin_client,
        f"/api/v1/ads/campaigns/{campaign.pk}/creatives",
        {
            "kind": "image",
            "name": "J",
            "click_url": "https://lumen.example",
            "alt_text": "J",
            "image_base64": base64.b64encode(out.getvalue()).decode(),
        },
    )
    assert response.status_code == 201
    served = visitor().get(response.json()["content_url"])
    assert (served.status_code, served["Content-Type"]) == (200, "image/jpeg")
    assert b"SecretCam" not in served.content and b"Exif" not in served.content
    with Image.open(io.BytesIO(served.content)) as clean:
        assert clean.size == (320, 50)


def test_reports_are_for_staff_and_the_advertisers_own_account(
    make_campaign: Callable[..., Campaign],
    make_user: Callable[..., Any],
    api_client: Callable[..., Client],
    advertiser: Advertiser,
) -> None:
    owner, stranger, finance = make_user(), make_user(), make_user("finance")
    Advertiser.objects.filter(pk=advertiser.pk).update(user=owner)
    campaign = make_campaign()
    url = f"/api/v1/ads/campaigns/{campaign.pk}/report"
    assert api_client(owner).get(url).json() == {
        "impressions": 0,
        "clicks": 0,
        "spend_micros": 0,
        "ctr_percent": "0.00",
        "rows": [],
    }
    assert api_client(finance).get(url).status_code == 200
    hidden = api_client(stranger).get(url)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "ads.campaign_not_found")
    mine = api_client(stranger).get("/api/v1/ads/report")
    assert (mine.status_code, mine.json()["code"]) == (404, "ads.not_an_advertiser")
    assert api_client(owner).get("/api/v1/ads/report").status_code == 200
