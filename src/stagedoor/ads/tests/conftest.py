"""Ads test helpers: an advertiser, campaigns made through the services, synthetic banners, a viewer's request."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image, ImageDraw

from stagedoor.accounts.sessions import CONSENT_KEY
from stagedoor.ads import selectors, services
from stagedoor.ads.models import Advertiser, Campaign
from stagedoor.core.geo import Location

DESKTOP_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
BANNER_HTML = '<div class="b" style="background:#123;color:#fff;padding:8px"><strong>Spring sale</strong></div>'


def banner_png(colour: tuple[int, int, int] = (30, 90, 160), size: tuple[int, int] = (728, 90)) -> bytes:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((10, 10, 200, 80), fill=(250, 220, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_index() -> None:
    from stagedoor.ads.services.serving import _at_cap

    selectors.forget_index()
    _at_cap.clear()


@pytest.fixture
def ads_admin(make_user: Callable[..., Any]) -> Any:
    return make_user("admin", login="ada_ads")


@pytest.fixture
def advertiser(ads_admin: Any) -> Advertiser:
    return services.advertiser_create(actor=ads_admin, name="Lumen Headsets")


def spec(**overrides: Any) -> services.CampaignSpec:
    values: dict[str, Any] = {
        "name": "Spring sale",
        "pricing": "cpm",
        "price_micros": 2_000_000,  # 2.00 a thousand: 2,000 micros an impression
        "budget_micros": 1_000_000,
        "starts_at": timezone.now() - dt.timedelta(hours=1),
    }
    values.update(overrides)
    return services.CampaignSpec(**values)


@pytest.fixture
def make_campaign(ads_admin: Any, advertiser: Advertiser) -> Callable[..., Campaign]:
    """An active campaign with one image banner (or an HTML5 one: `html=True`)."""

    def make(
        *, html: bool = False, activate: bool = True, click_url: str = "https://lumen.example/spring", **overrides: Any
    ) -> Campaign:
        campaign = services.campaign_create(actor=ads_admin, advertiser_id=advertiser.pk, spec=spec(**overrides))
        if html:
            services.creative_add(
                actor=ads_admin,
                campaign_id=campaign.pk,
                kind="html5",
                name="Spring banner",
                click_url=click_url,
                alt_text="Lumen headsets: spring sale",
                html=BANNER_HTML,
                width=728,
                height=90,
            )
        else:
            services.creative_add(
                actor=ads_admin,
                campaign_id=campaign.pk,
                kind="image",
                name="Spring image",
                click_url=click_url,
                alt_text="Lumen headsets: spring sale",
                image=banner_png(),
            )
        if activate:
            services.campaign_set_status(actor=ads_admin, campaign_id=campaign.pk, action="activate")
        campaign.refresh_from_db()
        return campaign

    return make


def visitor() -> Client:
    """A browser that is not signed in and passed the entry interstitial (its session holds the consent)."""
    client = Client()
    session = client.session
    session[CONSENT_KEY] = settings.STAGEDOOR.terms_version
    session.save()
    return client


def viewer(
    user: Any = None,
    *,
    session_key: str = "session-1",
    ip: str = "203.0.113.7",
    ua: str = DESKTOP_UA,
    country: str = "DE",
    subdivision: str = "",
    device: str = "desktop",
    language: str = "de",
) -> services.Viewer:
    return services.Viewer(
        user=user,
        session_key=session_key,
        ip=ip,
        user_agent=ua,
        location=Location(country, subdivision),
        device=device,
        language=language,
    )
