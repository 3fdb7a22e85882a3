"""Staff set up advertisers, campaigns and creatives. Every change is audited, published on the outbox and moves the
index version, so every web process serves the change within its refresh interval (this one at once)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F

from stagedoor.ads import errors, selectors
from stagedoor.ads.creatives import CreativeRefused, clean_banner_image, sanitise_html
from stagedoor.ads.decision import DEVICES, SLOTS
from stagedoor.ads.events import CAMPAIGN_CHANGED
from stagedoor.ads.models import Advertiser, Campaign, Creative, IndexVersion
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish

REGION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")
LIST_MAX = 100
MICROS_MAX = 10**15  # a billion units of currency: more is a typo


def index_bump() -> None:
    """Move the index version (in the caller's transaction); drop this process's index once it commits."""
    if not IndexVersion.objects.filter(pk=1).update(version=F("version") + 1):
        try:
            with transaction.atomic():
                IndexVersion.objects.create(pk=1, version=1)
        except IntegrityError:
            IndexVersion.objects.filter(pk=1).update(version=F("version") + 1)
    selectors.forget_index()  # this process, now (this connection sees the change already)
    transaction.on_commit(selectors.forget_index)  # and again once others can see it too


def _publish(campaign: Campaign, step: str) -> None:
    outbox_publish(
        topic=CAMPAIGN_CHANGED,
        payload={
            "campaign_id": campaign.pk,
            "advertiser_id": campaign.advertiser_id,
            "status": campaign.status,
            "step": step,
        },
    )


# --- advertisers ------------------------------------------------------------------------------------------------


def advertiser_create(*, actor: Any, name: str, user: Any = None) -> Advertiser:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 120:
        raise errors.InvalidCampaign.of_field("name", "Give the advertiser a name of 1–120 characters.")
    with transaction.atomic():
        if Advertiser.objects.filter(name__iexact=name).exists():
            raise errors.AdvertiserExists()
        try:
            with transaction.atomic():
                advertiser = Advertiser.objects.create(name=name, user=user)
        except IntegrityError:
            raise errors.AdvertiserExists() from None
        audit_record(
            actor=actor,
            action="ads.advertiser_create",
            target=advertiser,
            data={"name": name, "user_id": str(user.pk) if user is not None else ""},
        )
    return advertiser


# --- campaigns --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignSpec:
    """What staff set on a campaign (validated by `campaign_validate`)."""

    name: str
    pricing: str
    price_micros: int
    budget_micros: int
    starts_at: dt.datetime
    daily_budget_micros: int = 0
    ends_at: dt.datetime | None = None
    hours: tuple[int, ...] = ()
    slots: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    frequency_cap: int = 0
    weight: int = 100


def _list(values: Any, field: str, problems: dict[str, list[str]]) -> list[str]:
    items = [str(v).strip() for v in (values or ()) if str(v).strip()]
    if len(items) > LIST_MAX:
        problems.setdefault(field, []).append(f"At most {LIST_MAX} values.")
    return sorted(set(items))


def campaign_validate(spec: CampaignSpec) -> dict[str, Any]:
    """The campaign's fields as stored, or InvalidCampaign naming every wrong field (nothing is saved)."""
    problems: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    name = " ".join(spec.name.split())
    if not 1 <= len(name) <= 120:
        bad("name", "Give the campaign a name of 1–120 characters.")
    if spec.pricing not in Campaign.Pricing.values:
        bad("pricing", "Pricing is cpm (per thousand impressions) or cpc (per click).")
    if not 1 <= spec.price_micros <= MICROS_MAX:
        bad("price_micros", "The price must be above 0.")
    elif spec.pricing == Campaign.Pricing.CPM and spec.price_micros % 1000:
        bad("price_micros", "A CPM price must be a whole number of micros per impression (a multiple of 1,000).")
    if not 1 <= spec.budget_micros <= MICROS_MAX:
        bad("budget_micros", "The budget must be above 0.")
    elif spec.price_micros >= 1 and spec.budget_micros < _unit_cost(spec.pricing, spec.price_micros):
        bad("budget_micros", "The budget cannot pay for one impression or click.")
    if not 0 <= spec.daily_budget_micros <= MICROS_MAX:
        bad("daily_budget_micros", "The daily budget must be 0 (none) or more.")
    elif spec.daily_budget_micros and spec.daily_budget_micros < _unit_cost(spec.pricing, spec.price_micros):
        bad("daily_budget_micros", "The daily budget cannot pay for one impression or click.")
    if spec.starts_at.tzinfo is None or (spec.ends_at is not None and spec.ends_at.tzinfo is None):
        bad("starts_at", "Times need a time zone.")
    elif spec.ends_at is not None and spec.ends_at <= spec.starts_at:
        bad("ends_at", "The campaign must end after it starts.")
    hours = sorted({int(h) for h in spec.hours})
    if any(not 0 <= h <= 23 for h in hours):
        bad("hours", "Hours are 0–23 (UTC).")
    slots = _list(spec.slots, "slots", problems)
    if unknown := [s for s in slots if s not in SLOTS]:
        bad("slots", f"Unknown slots: {', '.join(unknown)} (known: {', '.join(SLOTS)}).")
    regions = _list([r.upper() for r in spec.regions], "regions", problems)
    if wrong := [r for r in regions if not REGION_RE.match(r)]:
        bad("regions", f"Regions are ISO codes like DE or US-TX, not: {', '.join(wrong)}.")
    devices = _list([d.lower() for d in spec.devices], "devices", problems)
    if wrong := [d for d in devices if d not in DEVICES]:
        bad("devices", f"Devices are {', '.join(DEVICES)}, not: {', '.join(wrong)}.")
    categories = _list([c.lower().lstrip("#") for c in spec.categories], "categories", problems)
    if wrong := [c for c in categories if not CATEGORY_RE.match(c)]:
        bad("categories", f"Categories are room tags (letters, digits, - and _), not: {', '.join(wrong)}.")
    languages = _list([lang.lower() for lang in spec.languages], "languages", problems)
    if wrong := [lang for lang in languages if not LANGUAGE_RE.match(lang)]:
        bad("languages", f"Languages are ISO 639 codes like en or de, not: {', '.join(wrong)}.")
    if not 0 <= spec.frequency_cap <= 1000:
        bad("frequency_cap", "The cap is 0 (none) to 1,000 ads a viewer a day.")
    if not 1 <= spec.weight <= 1000:
        bad("weight", "The weight is 1–1,000.")
    if problems:
        raise errors.InvalidCampaign(extra={"fields": problems})
    return {
        "name": name,
        "pricing": spec.pricing,
        "price_micros": spec.price_micros,
        "budget_micros": spec.budget_micros,
        "daily_budget_micros": spec.daily_budget_micros,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "hours": hours,
        "slots": slots,
        "regions": regions,
        "devices": devices,
        "categories": categories,
        "languages": languages,
        "frequency_cap": spec.frequency_cap,
        "weight": spec.weight,
    }


def _unit_cost(pricing: str, price_micros: int) -> int:
    return price_micros // 1000 if pricing == Campaign.Pricing.CPM else price_micros


def campaign_create(*, actor: Any, advertiser_id: str, spec: CampaignSpec) -> Campaign:
    """A new campaign, in draft: it serves once activated (with a creative)."""
    fields = campaign_validate(spec)
    with transaction.atomic():
        advertiser = selectors.advertiser_by_id(advertiser_id)
        campaign = Campaign.objects.create(advertiser=advertiser, **fields)
        audit_record(actor=actor, action="ads.campaign_create", target=campaign, data=_audit_fields(fields))
        _publish(campaign, "created")
    return campaign


def campaign_update(*, actor: Any, campaign_id: str, spec: CampaignSpec) -> Campaign:
    """Change a campaign's settings. The budget cannot go below what is already spent; an ended one is final."""
    fields = campaign_validate(spec)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise errors.CampaignNotFound()
        if campaign.status == Campaign.Status.ENDED:
            raise errors.CampaignEnded()
        if fields["budget_micros"] < campaign.spent_micros:
            raise errors.InvalidCampaign.of_field(
                "budget_micros", f"The budget cannot be less than what is spent ({campaign.spent_micros} micros)."
            )
        before = {k: getattr(campaign, k) for k in fields}
        for key, value in fields.items():
            setattr(campaign, key, value)
        unit = campaign.cost_of("impression") or campaign.cost_of("click")
        campaign.exhausted = campaign.spent_micros + unit > campaign.budget_micros
        campaign.save()
        changed = {k: v for k, v in _audit_fields(fields).items() if _audit_fields(before).get(k) != v}
        audit_record(actor=actor, action="ads.campaign_update", target=campaign, data={"changed": changed})
        _publish(campaign, "updated")
        index_bump()
    return campaign


def _audit_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in fields.items()}


_TRANSITIONS = {
    "activate": ({Campaign.Status.DRAFT, Campaign.Status.PAUSED}, Campaign.Status.ACTIVE, "activated"),
    "pause": ({Campaign.Status.ACTIVE}, Campaign.Status.PAUSED, "paused"),
    "end": ({Campaign.Status.DRAFT, Campaign.Status.ACTIVE, Campaign.Status.PAUSED}, Campaign.Status.ENDED, "ended"),
}


def campaign_set_status(*, actor: Any, campaign_id: str, action: str) -> Campaign:
    """activate (needs an active creative), pause, or end (final)."""
    if action not in _TRANSITIONS:
        raise errors.InvalidCampaign.of_field("action", "The action is activate, pause or end.")
    allowed_from, target, step = _TRANSITIONS[action]
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise errors.CampaignNotFound()
        if campaign.status == Campaign.Status.ENDED:
            raise errors.CampaignEnded()
        if campaign.status not in allowed_from:
            raise errors.InvalidCampaign.of_field("action", f"A {campaign.status} campaign cannot {action}.")
        if target == Campaign.Status.ACTIVE and not Creative.objects.filter(campaign=campaign, active=True).exists():
            raise errors.NoCreatives()
        before = campaign.status
        campaign.status = target
        campaign.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action=f"ads.campaign_{action}", target=campaign, data={"from": before, "to": target})
        _publish(campaign, step)
        index_bump()
    return campaign


# --- creatives --------------------------------------------------------------------------------------------------


def _click_url(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise errors.CreativeRejected.of_field("click_url", "The click address must be an http(s) URL.") from None
    if len(url) > 500:
        raise errors.CreativeRejected.of_field("click_url", "The click address may be at most 500 characters.")
    return url


def creative_add(
    *,
    actor: Any,
    campaign_id: str,
    kind: str,
    name: str,
    click_url: str,
    alt_text: str,
    image: bytes = b"",
    html: str = "",
    width: int = 0,
    height: int = 0,
) -> Creative:
    """Add an image banner (cleaned: re-encoded, no metadata) or an HTML5 banner (sanitised; its size given)."""
    name = " ".join(name.split())
    alt_text = " ".join(alt_text.split())
    if not 1 <= len(name) <= 120:
        raise errors.CreativeRejected.of_field("name", "Give the creative a name of 1–120 characters.")
    if not 1 <= len(alt_text) <= 200:
        raise errors.CreativeRejected.of_field(
            "alt_text", "Describe the banner in 1–200 characters (for screen readers)."
        )
    url = _click_url(click_url)
    fields: dict[str, Any] = {}
    try:
        if kind == Creative.Kind.IMAGE:
            clean = clean_banner_image(image)
            fields = {"image": clean.content, "image_type": clean.content_type}
            width, height = clean.width, clean.height
        elif kind == Creative.Kind.HTML5:
            if not (20 <= width <= 2000 and 20 <= height <= 2000):
                raise errors.CreativeRejected.of_field(
                    "width", "An HTML5 banner's width and height are 20–2000 pixels."
                )
            cleaned = sanitise_html(html)
            fields = {"html": cleaned.html, "sanitised": cleaned.changed}
        else:
            raise errors.CreativeRejected.of_field("kind", "A creative is an image or an html5 banner.")
    except CreativeRefused as exc:
        raise errors.CreativeRejected(str(exc)) from None
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise errors.CampaignNotFound()
        if campaign.status == Campaign.Status.ENDED:
            raise errors.CampaignEnded()
        creative = Creative.objects.create(
            campaign=campaign,
            kind=kind,
            name=name,
            alt_text=alt_text,
            click_url=url,
            width=width,
            height=height,
            **fields,
        )
        audit_record(
            actor=actor,
            action="ads.creative_add",
            target=creative,
            data={"campaign_id": campaign.pk, "kind": kind, "sanitised": creative.sanitised, "click_url": url},
        )
        _publish(campaign, "creative_added")
        index_bump()
    return creative


def creative_set_active(*, actor: Any, creative_id: str, active: bool) -> Creative:
    with transaction.atomic():
        creative = Creative.objects.select_for_update().filter(pk=creative_id).first()
        if creative is None:
            raise errors.CreativeNotFound()
        if creative.active != active:
            creative.active = active
            creative.save(update_fields=["active"])
            audit_record(actor=actor, action="ads.creative_set_active", target=creative, data={"active": active})
            _publish(creative.campaign, "creative_resumed" if active else "creative_paused")
            index_bump()
    return creative
