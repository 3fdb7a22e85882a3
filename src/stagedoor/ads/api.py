"""The ads API (see docs/ads.md): the slot a page fills and its impression beacon (anyone); advertisers, campaigns
and creatives (staff); reports (staff, and the advertiser's own account)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from stagedoor.accounts.auth import AUTH, optional_user, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import user_by_login_or_id
from stagedoor.ads import errors, schemas, selectors, services
from stagedoor.ads.models import Advertiser, Campaign, Creative, DailyReport
from stagedoor.ads.viewer import viewer_from_request
from stagedoor.core.middleware import client_ip

router = Router(tags=["ads"])
CATEGORIES_MAX = 10


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def categories_of(raw: str) -> frozenset[str]:
    """`?categories=a,b`: the directory's tag filter or the room's tags (lower case, at most ten)."""
    parts = [p.strip().lower().lstrip("#") for p in raw.split(",")[:CATEGORIES_MAX]]
    return frozenset(p[:40] for p in parts if p)


def ad_out(ad: services.ServedAd) -> dict[str, Any]:
    return {
        "decision_id": ad.decision_id,
        "campaign_id": ad.campaign_id,
        "creative_id": ad.creative_id,
        "kind": ad.kind,
        "width": ad.width,
        "height": ad.height,
        "alt_text": ad.alt_text,
        "content_url": ad.content_url,
        "click_url": ad.click_url,
        "impression_token": ad.impression_token,
    }


def _advertiser_out(a: Advertiser) -> dict[str, Any]:
    return {"id": a.pk, "name": a.name, "user_id": str(a.user_id) if a.user_id else None, "created_at": a.created_at}


def _campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.pk,
        "advertiser_id": c.advertiser_id,
        "advertiser_name": c.advertiser.name,
        "name": c.name,
        "status": c.status,
        "pricing": c.pricing,
        "price_micros": c.price_micros,
        "budget_micros": c.budget_micros,
        "daily_budget_micros": c.daily_budget_micros,
        "spent_micros": c.spent_micros,
        "exhausted": c.exhausted,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "hours": c.hours,
        "slots": c.slots,
        "regions": c.regions,
        "devices": c.devices,
        "categories": c.categories,
        "languages": c.languages,
        "frequency_cap": c.frequency_cap,
        "weight": c.weight,
    }


def _creative_out(k: Creative) -> dict[str, Any]:
    return {
        "id": k.pk,
        "campaign_id": k.campaign_id,
        "kind": k.kind,
        "name": k.name,
        "width": k.width,
        "height": k.height,
        "alt_text": k.alt_text,
        "click_url": k.click_url,
        "sanitised": k.sanitised,
        "active": k.active,
        "content_url": services.content_url(k.pk, k.kind),
    }


def _row_out(r: DailyReport) -> dict[str, Any]:
    return {
        "campaign_id": r.campaign_id,
        "campaign_name": r.campaign.name,
        "slot": r.slot,
        "day": r.day.isoformat(),
        "impressions": r.impressions,
        "clicks": r.clicks,
        "spend_micros": r.spend_micros,
        "unbilled": r.unbilled,
        "refused_clicks": r.refused_clicks,
        "refused_impressions": r.refused_impressions,
    }


def _report_out(campaign_ids: list[str]) -> dict[str, Any]:
    totals = selectors.totals(campaign_ids)
    return {
        "impressions": totals.impressions,
        "clicks": totals.clicks,
        "spend_micros": totals.spend_micros,
        "ctr_percent": totals.ctr_percent,
        "rows": [_row_out(r) for r in selectors.report_rows(campaign_ids)[:1000]],
    }


def _spec(payload: schemas.CampaignIn) -> services.CampaignSpec:
    return services.CampaignSpec(
        name=payload.name,
        pricing=payload.pricing,
        price_micros=payload.price_micros,
        budget_micros=payload.budget_micros,
        daily_budget_micros=payload.daily_budget_micros,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        hours=tuple(payload.hours),
        slots=tuple(payload.slots),
        regions=tuple(payload.regions),
        devices=tuple(payload.devices),
        categories=tuple(payload.categories),
        languages=tuple(payload.languages),
        frequency_cap=payload.frequency_cap,
        weight=payload.weight,
    )


# --- serving ----------------------------------------------------------------------------------------------------


class SlotQuery(Schema):
    categories: str = ""


@router.get("/ads/slots/{slot}", response=schemas.SlotOut, auth=None)
def slot_fill(request: HttpRequest, slot: str, query: Query[SlotQuery]) -> dict[str, Any]:
    """The ad for this slot (`directory` or `room`), or `ad: null` (no campaign matches, or the viewer is ad-free)."""
    viewer = viewer_from_request(request, optional_user(request))
    ad = services.ad_serve(slot=slot, viewer=viewer, categories=categories_of(query.categories))
    return {"slot": slot, "ad": ad_out(ad) if ad is not None else None}


@router.post("/ads/impressions", response=schemas.ImpressionOut, auth=None)
def impression(request: HttpRequest, payload: schemas.ImpressionIn) -> dict[str, Any]:
    """The ad was in view (the page's IntersectionObserver): counted once per decision."""
    counted = services.impression_record(
        raw_token=payload.token, user_agent=request.headers.get("User-Agent", ""), ip=client_ip(request)
    )
    return {"counted": counted.counted, "outcome": counted.outcome}


# --- staff: advertisers, campaigns, creatives -------------------------------------------------------------------


@router.get("/ads/advertisers", response=list[schemas.AdvertiserOut], auth=requires(Perm.ADS_MANAGE))
def advertisers(request: HttpRequest) -> list[dict[str, Any]]:
    return [_advertiser_out(a) for a in selectors.advertisers()[:500]]


@router.post("/ads/advertisers", response={201: schemas.AdvertiserOut}, auth=requires(Perm.ADS_MANAGE))
def advertiser_create(request: HttpRequest, payload: schemas.AdvertiserIn) -> Status[dict[str, Any]]:
    user = None
    if payload.user_id:
        user = user_by_login_or_id(payload.user_id)
        if user is None:
            raise errors.InvalidCampaign.of_field("user_id", "No account with that login or id.")
    advertiser = services.advertiser_create(actor=_me(request), name=payload.name, user=user)
    return Status(201, _advertiser_out(advertiser))


@router.get("/ads/campaigns", response=list[schemas.CampaignOut], auth=requires(Perm.ADS_REPORTS_READ))
def campaigns(request: HttpRequest) -> list[dict[str, Any]]:
    return [_campaign_out(c) for c in selectors.campaigns()[:500]]


@router.post("/ads/campaigns", response={201: schemas.CampaignOut}, auth=requires(Perm.ADS_MANAGE))
def campaign_create(request: HttpRequest, payload: schemas.CampaignCreateIn) -> Status[dict[str, Any]]:
    campaign = services.campaign_create(actor=_me(request), advertiser_id=payload.advertiser_id, spec=_spec(payload))
    return Status(201, _campaign_out(selectors.campaign_by_id(campaign.pk)))


@router.put("/ads/campaigns/{campaign_id}", response=schemas.CampaignOut, auth=requires(Perm.ADS_MANAGE))
def campaign_update(request: HttpRequest, campaign_id: str, payload: schemas.CampaignIn) -> dict[str, Any]:
    services.campaign_update(actor=_me(request), campaign_id=campaign_id, spec=_spec(payload))
    return _campaign_out(selectors.campaign_by_id(campaign_id))


@router.post("/ads/campaigns/{campaign_id}/status", response=schemas.CampaignOut, auth=requires(Perm.ADS_MANAGE))
def campaign_status(request: HttpRequest, campaign_id: str, payload: schemas.StatusIn) -> dict[str, Any]:
    services.campaign_set_status(actor=_me(request), campaign_id=campaign_id, action=payload.action)
    return _campaign_out(selectors.campaign_by_id(campaign_id))


@router.get(
    "/ads/campaigns/{campaign_id}/creatives",
    response=list[schemas.CreativeOut],
    auth=requires(Perm.ADS_REPORTS_READ),
)
def creatives(request: HttpRequest, campaign_id: str) -> list[dict[str, Any]]:
    return [_creative_out(k) for k in selectors.creatives_of(selectors.campaign_by_id(campaign_id))]


@router.post(
    "/ads/campaigns/{campaign_id}/creatives",
    response={201: schemas.CreativeOut},
    auth=requires(Perm.ADS_MANAGE),
)
def creative_add(request: HttpRequest, campaign_id: str, payload: schemas.CreativeIn) -> Status[dict[str, Any]]:
    image = b""
    if payload.image_base64:
        try:
            image = base64.b64decode(payload.image_base64, validate=True)
        except (binascii.Error, ValueError):
            raise errors.CreativeRejected.of_field("image_base64", "The image is not valid base64.") from None
    creative = services.creative_add(
        actor=_me(request),
        campaign_id=campaign_id,
        kind=payload.kind,
        name=payload.name,
        click_url=payload.click_url,
        alt_text=payload.alt_text,
        image=image,
        html=payload.html,
        width=payload.width,
        height=payload.height,
    )
    return Status(201, _creative_out(creative))


# --- reports ----------------------------------------------------------------------------------------------------


@router.get("/ads/campaigns/{campaign_id}/report", response=schemas.AdReportOut, auth=AUTH)
def campaign_report(request: HttpRequest, campaign_id: str) -> dict[str, Any]:
    """Staff with the report permission, or the advertiser's own account (anyone else: not found)."""
    me = _me(request)
    campaign = selectors.access_report(me, campaign_id, staff=role_has(me.role, Perm.ADS_REPORTS_READ))
    return _report_out([campaign.pk])


@router.get("/ads/report", response=schemas.AdReportOut, auth=AUTH)
def my_report(request: HttpRequest) -> dict[str, Any]:
    """Every campaign of the advertisers this account reads reports of."""
    mine = selectors.advertiser_report(_me(request))
    return _report_out([c.pk for _, camps, _ in mine for c in camps])
