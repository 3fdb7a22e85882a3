"""Every write of ads: advertisers, campaigns and creatives (staff); serving and counting (everyone)."""

from stagedoor.ads.services.campaigns import (
    CampaignSpec,
    advertiser_create,
    campaign_create,
    campaign_set_status,
    campaign_update,
    campaign_validate,
    creative_add,
    creative_set_active,
    index_bump,
)
from stagedoor.ads.services.serving import (
    DUPLICATE,
    Click,
    Counted,
    ServedAd,
    Viewer,
    ad_serve,
    click_record,
    content_url,
    impression_record,
    no_ads_for,
)

__all__ = [
    "DUPLICATE",
    "CampaignSpec",
    "Click",
    "Counted",
    "ServedAd",
    "Viewer",
    "ad_serve",
    "advertiser_create",
    "campaign_create",
    "campaign_set_status",
    "campaign_update",
    "campaign_validate",
    "click_record",
    "content_url",
    "creative_add",
    "creative_set_active",
    "impression_record",
    "index_bump",
    "no_ads_for",
]
