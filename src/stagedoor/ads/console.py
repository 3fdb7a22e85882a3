"""Staff console of ads: advertisers and campaigns (`/staff/ads/`), and one campaign's page — its targeting, budget,
creatives (with a preview) and daily report — where it is started, paused or ended and banners are added.

Who: the section needs `Perm.ADS_REPORTS_READ` (finance and admins read every report); every change needs
`Perm.ADS_MANAGE` (admins), checked in each action. Services audit every change (`ads.*`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.accounts.selectors import require_perm, user_by_login_or_id
from stagedoor.ads import errors, selectors, services
from stagedoor.ads.decision import DEVICES, SLOTS
from stagedoor.ads.models import Campaign, Creative
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error

SECTION = "/staff/ads/"
MICROS = Decimal(1_000_000)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


def _words(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.replace(",", " ").split() if part)


def _micros(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * MICROS)


class AdvertiserForm(forms.Form):
    name = forms.CharField(max_length=120, label="Advertiser name")
    account = forms.CharField(
        max_length=254, required=False, label="Account (login or id)", help_text="May read this advertiser's report."
    )


class CampaignForm(forms.Form):
    advertiser = forms.ChoiceField(choices=())
    name = forms.CharField(max_length=120, label="Campaign name")
    pricing = forms.ChoiceField(choices=Campaign.Pricing.choices)
    price = forms.DecimalField(
        min_value=Decimal("0.000001"),
        max_digits=15,
        decimal_places=6,
        help_text="Per thousand impressions or per click.",
    )
    budget = forms.DecimalField(min_value=Decimal("0.000001"), max_digits=15, decimal_places=6)
    daily_budget = forms.DecimalField(
        min_value=Decimal(0), max_digits=15, decimal_places=6, required=False, help_text="Empty or 0: no daily limit."
    )
    starts_at = forms.DateTimeField(label="Starts (UTC)", help_text="YYYY-MM-DD HH:MM")
    ends_at = forms.DateTimeField(label="Ends (UTC)", required=False)
    hours = forms.CharField(required=False, label="Hours (UTC)", help_text="e.g. 18 19 20 21 22 23; empty: all day.")
    slots = forms.MultipleChoiceField(
        choices=[(s, s) for s in SLOTS], required=False, widget=forms.CheckboxSelectMultiple, help_text="None: all."
    )
    regions = forms.CharField(required=False, help_text="Country or region codes: DE AT US-TX. Empty: everywhere.")
    devices = forms.MultipleChoiceField(
        choices=[(d, d) for d in DEVICES], required=False, widget=forms.CheckboxSelectMultiple, help_text="None: all."
    )
    categories = forms.CharField(required=False, help_text="Room tags: couples cosplay. Empty: every room.")
    languages = forms.CharField(required=False, help_text="Language codes: en de. Empty: every language.")
    frequency_cap = forms.IntegerField(min_value=0, max_value=1000, initial=0, label="Ads a viewer a day (0: no cap)")
    weight = forms.IntegerField(min_value=1, max_value=1000, initial=100, help_text="Share among matching campaigns.")

    def __init__(self, *args: Any, advertisers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["advertiser"])
        field.choices = advertisers

    def spec(self) -> services.CampaignSpec:
        d = self.cleaned_data
        try:
            hours = tuple(int(h) for h in _words(d.get("hours") or ""))
        except ValueError:
            raise errors.InvalidCampaign.of_field("hours", "Hours are whole numbers 0–23.") from None
        return services.CampaignSpec(
            name=d["name"],
            pricing=d["pricing"],
            price_micros=_micros(d["price"]),
            budget_micros=_micros(d["budget"]),
            daily_budget_micros=_micros(d.get("daily_budget")),
            starts_at=_utc(d["starts_at"]),
            ends_at=_utc(d["ends_at"]) if d.get("ends_at") else None,
            hours=hours,
            slots=tuple(d.get("slots") or ()),
            regions=_words(d.get("regions") or ""),
            devices=tuple(d.get("devices") or ()),
            categories=_words(d.get("categories") or ""),
            languages=_words(d.get("languages") or ""),
            frequency_cap=d["frequency_cap"],
            weight=d["weight"],
        )


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class CreativeForm(forms.Form):
    kind = forms.ChoiceField(choices=Creative.Kind.choices)
    name = forms.CharField(max_length=120)
    alt_text = forms.CharField(max_length=200, label="Text alternative", help_text="What the banner says.")
    click_url = forms.URLField(max_length=500, label="Goes to", assume_scheme="https")
    image = forms.FileField(required=False, help_text="Image banner: JPEG, PNG or WebP, at most 1 MB.")
    html = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}), label="HTML5 banner")
    width = forms.IntegerField(required=False, min_value=20, max_value=2000, help_text="HTML5 banner only.")
    height = forms.IntegerField(required=False, min_value=20, max_value=2000)


def _advertiser_choices() -> list[tuple[str, str]]:
    return [(a.pk, a.name) for a in selectors.advertisers()]


def _campaign_initial() -> dict[str, Any]:
    return {"starts_at": timezone.now().replace(second=0, microsecond=0), "pricing": "cpm", "weight": 100}


def campaigns_page(request: HttpRequest) -> HttpResponse:
    """Advertisers and campaigns; with ADS_MANAGE, forms to add either."""
    actor = _actor(request)
    can_manage = role_has(actor.role, Perm.ADS_MANAGE)
    advertiser_form = AdvertiserForm()
    campaign_form = CampaignForm(advertisers=_advertiser_choices(), initial=_campaign_initial())
    if request.method == "POST":
        require_perm(actor, Perm.ADS_MANAGE)
        if request.POST.get("form") == "advertiser":
            advertiser_form = AdvertiserForm(request.POST)
            if advertiser_form.is_valid() and _create_advertiser(request, actor, advertiser_form):
                return HttpResponseRedirect(SECTION)
        else:
            campaign_form = CampaignForm(request.POST, advertisers=_advertiser_choices())
            if campaign_form.is_valid():
                try:
                    campaign = services.campaign_create(
                        actor=actor, advertiser_id=campaign_form.cleaned_data["advertiser"], spec=campaign_form.spec()
                    )
                except ApplicationError as exc:
                    apply_error(campaign_form, exc, renames=_RENAMES)
                else:
                    messages.success(request, "Campaign created as a draft: add a banner, then start it.")
                    return HttpResponseRedirect(f"{SECTION}campaigns/{campaign.pk}/")
    context = {
        "advertisers": list(selectors.advertisers()),
        "campaigns": list(selectors.campaigns()[:200]),
        "can_manage": can_manage,
        "advertiser_form": advertiser_form,
        "campaign_form": campaign_form,
    }
    return render(request, "ads/console/campaigns.html", context)


_RENAMES = {
    "price_micros": "price",
    "budget_micros": "budget",
    "daily_budget_micros": "daily_budget",
}


def _create_advertiser(request: HttpRequest, actor: User, form: AdvertiserForm) -> bool:
    account = form.cleaned_data.get("account", "").strip()
    user = user_by_login_or_id(account) if account else None
    if account and user is None:
        form.add_error("account", "No account with that login or id.")
        return False
    try:
        services.advertiser_create(actor=actor, name=form.cleaned_data["name"], user=user)
    except ApplicationError as exc:
        apply_error(form, exc)
        return False
    messages.success(request, "Advertiser added.")
    return True


def campaign_page(request: HttpRequest, campaign_id: str) -> HttpResponse:
    actor = _actor(request)
    campaign = selectors.campaign_by_id(campaign_id)
    can_manage = role_has(actor.role, Perm.ADS_MANAGE)
    creative_form = CreativeForm()
    edit_form = CampaignForm(
        advertisers=[(campaign.advertiser_id, campaign.advertiser.name)], initial=_edit_initial(campaign)
    )
    if request.method == "POST":
        require_perm(actor, Perm.ADS_MANAGE)
        if request.POST.get("form") == "creative":
            creative_form = CreativeForm(request.POST, request.FILES)
            if creative_form.is_valid() and _add_creative(request, actor, campaign, creative_form):
                return HttpResponseRedirect(f"{SECTION}campaigns/{campaign.pk}/")
        else:
            edit_form = CampaignForm(request.POST, advertisers=[(campaign.advertiser_id, campaign.advertiser.name)])
            if edit_form.is_valid():
                try:
                    services.campaign_update(actor=actor, campaign_id=campaign.pk, spec=edit_form.spec())
                except ApplicationError as exc:
                    apply_error(edit_form, exc, renames=_RENAMES)
                else:
                    messages.success(request, "Campaign saved.")
                    return HttpResponseRedirect(f"{SECTION}campaigns/{campaign.pk}/")
    context = {
        "campaign": campaign,
        "creatives": list(selectors.creatives_of(campaign)),
        "rows": list(selectors.report_rows([campaign.pk])[:366]),
        "totals": selectors.totals([campaign.pk]),
        "can_manage": can_manage,
        "creative_form": creative_form,
        "edit_form": edit_form,
    }
    return render(request, "ads/console/campaign.html", context)


def _edit_initial(c: Campaign) -> dict[str, Any]:
    return {
        "advertiser": c.advertiser_id,
        "name": c.name,
        "pricing": c.pricing,
        "price": Decimal(c.price_micros) / MICROS,
        "budget": Decimal(c.budget_micros) / MICROS,
        "daily_budget": Decimal(c.daily_budget_micros) / MICROS,
        "starts_at": c.starts_at,
        "ends_at": c.ends_at,
        "hours": " ".join(str(h) for h in c.hours),
        "slots": c.slots,
        "regions": " ".join(c.regions),
        "devices": c.devices,
        "categories": " ".join(c.categories),
        "languages": " ".join(c.languages),
        "frequency_cap": c.frequency_cap,
        "weight": c.weight,
    }


def _add_creative(request: HttpRequest, actor: User, campaign: Campaign, form: CreativeForm) -> bool:
    d = form.cleaned_data
    upload = d.get("image")
    if upload is not None and upload.size and upload.size > 1024 * 1024:
        form.add_error("image", "An image banner may be at most 1 MB.")
        return False
    try:
        services.creative_add(
            actor=actor,
            campaign_id=campaign.pk,
            kind=d["kind"],
            name=d["name"],
            alt_text=d["alt_text"],
            click_url=d["click_url"],
            image=upload.read() if upload is not None else b"",
            html=d.get("html") or "",
            width=d.get("width") or 0,
            height=d.get("height") or 0,
        )
    except ApplicationError as exc:
        apply_error(form, exc)
        return False
    messages.success(request, "Banner added.")
    return True


@require_POST
def campaign_status(request: HttpRequest, campaign_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.ADS_MANAGE)
    action = str(request.POST.get("action", ""))
    done = staff_action(
        request, lambda: services.campaign_set_status(actor=actor, campaign_id=campaign_id, action=action)
    )
    if done is not None:
        messages.success(request, f"Campaign {done.get_status_display().lower()}.")
    return HttpResponseRedirect(f"{SECTION}campaigns/{campaign_id}/")


@require_POST
def creative_toggle(request: HttpRequest, creative_id: str) -> HttpResponse:
    actor = require_perm(_actor(request), Perm.ADS_MANAGE)
    active = request.POST.get("active") == "true"
    done = staff_action(
        request, lambda: services.creative_set_active(actor=actor, creative_id=creative_id, active=active)
    )
    if done is None:
        return HttpResponseRedirect(SECTION)
    messages.success(request, "Banner resumed." if active else "Banner paused.")
    return HttpResponseRedirect(f"{SECTION}campaigns/{done.campaign_id}/")


def _blurb(actor: Any) -> str:
    return f"{selectors.campaigns_active_count()} running"


console_section(
    slug="ads",
    title="Ads",
    perm=Perm.ADS_REPORTS_READ,
    order=70,
    description="Advertisers, campaigns, banners, targeting and budgets; impressions, clicks and spend by day.",
    view=campaigns_page,
    template="ads/console/campaigns.html",
    routes=[
        path("campaigns/<str:campaign_id>/", campaign_page, name="campaign"),
        path("campaigns/<str:campaign_id>/status", campaign_status, name="status"),
        path("creatives/<str:creative_id>/active", creative_toggle, name="creative-active"),
    ],
    blurb=_blurb,
)
