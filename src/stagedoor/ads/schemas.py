"""Request and response shapes of the ads API."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class AdOut(Schema):
    decision_id: str
    campaign_id: str
    creative_id: str
    kind: str  # image | html5
    width: int
    height: int
    alt_text: str
    content_url: str  # the image, or the sandboxed frame of an HTML5 banner
    click_url: str  # /ads/click/<token>: counts the click and redirects
    impression_token: str  # POST it to /api/v1/ads/impressions once the ad is in view


class SlotOut(Schema):
    slot: str
    ad: AdOut | None = None


class ImpressionIn(Schema):
    token: str = Field(max_length=400)


class ImpressionOut(Schema):
    counted: bool
    outcome: str  # billed | counted | over_budget | bot | flood | duplicate


class AdvertiserIn(Schema):
    name: str = Field(max_length=200)
    user_id: str | None = None  # the account that may read the advertiser's report


class AdvertiserOut(Schema):
    id: str
    name: str
    user_id: str | None
    created_at: datetime


class CampaignIn(Schema):
    name: str = Field(max_length=200)
    pricing: str = "cpm"
    price_micros: int = Field(ge=0)
    budget_micros: int = Field(ge=0)
    daily_budget_micros: int = Field(default=0, ge=0)
    starts_at: datetime
    ends_at: datetime | None = None
    hours: list[int] = Field(default_factory=list, max_length=24)
    slots: list[str] = Field(default_factory=list, max_length=100)
    regions: list[str] = Field(default_factory=list, max_length=100)
    devices: list[str] = Field(default_factory=list, max_length=100)
    categories: list[str] = Field(default_factory=list, max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=100)
    frequency_cap: int = Field(default=0, ge=0)
    weight: int = Field(default=100, ge=0)


class CampaignCreateIn(CampaignIn):
    advertiser_id: str


class CampaignOut(Schema):
    id: str
    advertiser_id: str
    advertiser_name: str
    name: str
    status: str
    pricing: str
    price_micros: int
    budget_micros: int
    daily_budget_micros: int
    spent_micros: int
    exhausted: bool
    starts_at: datetime
    ends_at: datetime | None
    hours: list[int]
    slots: list[str]
    regions: list[str]
    devices: list[str]
    categories: list[str]
    languages: list[str]
    frequency_cap: int
    weight: int


class StatusIn(Schema):
    action: str  # activate | pause | end


class CreativeIn(Schema):
    kind: str  # image | html5
    name: str = Field(max_length=200)
    click_url: str = Field(max_length=1000)
    alt_text: str = Field(max_length=400)
    image_base64: str = Field(default="", max_length=1_500_000)  # image: the file, base64
    html: str = Field(default="", max_length=200_000)  # html5: the banner's markup (sanitised)
    width: int = 0  # html5 only; an image's size is read from the file
    height: int = 0


class CreativeOut(Schema):
    id: str
    campaign_id: str
    kind: str
    name: str
    width: int
    height: int
    alt_text: str
    click_url: str
    sanitised: bool
    active: bool
    content_url: str


class ReportRowOut(Schema):
    campaign_id: str
    campaign_name: str
    slot: str
    day: str
    impressions: int
    clicks: int
    spend_micros: int
    unbilled: int
    refused_clicks: int
    refused_impressions: int


class AdReportOut(Schema):
    impressions: int
    clicks: int
    spend_micros: int
    ctr_percent: str
    rows: list[ReportRowOut]
