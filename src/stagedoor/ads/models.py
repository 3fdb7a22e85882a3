"""Advertisers, campaigns and their creatives; the counters that enforce caps and budgets; counted events and the
daily report rows they roll up into (see docs/ads.md).

Amounts are integer micros of the site's currency (1,000,000 = one unit), as ad platforms bill them: a CPM price
of 2.50 per thousand impressions is 2,500,000 micros per thousand, 2,500 micros an impression.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.core.fields import IdField

USER = settings.AUTH_USER_MODEL


class Advertiser(models.Model):
    """A business that buys ads. Staff set it up; `user` (optional) is the account that may read its report."""

    id = IdField(primary_key=True)
    name = models.CharField(max_length=120, unique=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="advertisers")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"

    class Pricing(models.TextChoices):
        CPM = "cpm", "Per thousand impressions"
        CPC = "cpc", "Per click"

    id = IdField(primary_key=True)
    advertiser = models.ForeignKey(Advertiser, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    pricing = models.CharField(max_length=3, choices=Pricing.choices, default=Pricing.CPM)
    price_micros = models.PositiveBigIntegerField()  # per thousand impressions (CPM) or per click (CPC)
    budget_micros = models.PositiveBigIntegerField()  # the whole campaign
    daily_budget_micros = models.PositiveBigIntegerField(default=0)  # 0: no daily limit
    # Only ever changed by one conditional UPDATE (`spent + cost <= budget`), so two nodes cannot overspend.
    spent_micros = models.PositiveBigIntegerField(default=0)
    exhausted = models.BooleanField(default=False)  # the budget cannot pay one more event
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    hours = models.JSONField(default=list, blank=True)  # UTC hours of day it runs ([] = all day)
    # targeting: an empty list matches everyone
    slots = models.JSONField(default=list, blank=True)
    regions = models.JSONField(default=list, blank=True)  # "DE", "US-TX"
    devices = models.JSONField(default=list, blank=True)  # desktop | mobile | tablet
    categories = models.JSONField(default=list, blank=True)  # room tags
    languages = models.JSONField(default=list, blank=True)  # "en", "de"
    frequency_cap = models.PositiveIntegerField(default=0)  # ads a viewer gets a day (0: no cap)
    weight = models.PositiveIntegerField(default=100)  # share among the campaigns a request matches
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(spent_micros__lte=models.F("budget_micros")), name="ads_no_overspend"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=1000), name="ads_weight_range"),
        ]
        indexes = [models.Index(fields=["status"], name="ads_campaign_status")]

    def __str__(self) -> str:
        return self.name

    def cost_of(self, kind: str) -> int:
        """What one counted event of `kind` costs (0: this pricing does not bill it)."""
        if self.pricing == self.Pricing.CPM:
            return self.price_micros // 1000 if kind == AdEvent.Kind.IMPRESSION else 0
        return self.price_micros if kind == AdEvent.Kind.CLICK else 0


class Creative(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Image banner"
        HTML5 = "html5", "HTML5 banner"

    id = IdField(primary_key=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="creatives")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    name = models.CharField(max_length=120)
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    alt_text = models.CharField(max_length=200)
    click_url = models.URLField(max_length=500)
    image = models.BinaryField(default=b"", blank=True)  # re-encoded without metadata
    image_type = models.CharField(max_length=20, blank=True, default="")
    html = models.TextField(blank=True, default="")  # sanitised; served sandboxed with a strict CSP
    sanitised = models.BooleanField(default=False)  # the upload had something the sanitiser took out
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class IndexVersion(models.Model):
    """One row: bumped whenever what may be served changes, so every web process rebuilds its index."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"ads index v{self.version}"


class CampaignDay(models.Model):
    """A campaign's spend on one day (UTC), held under its daily budget by a conditional UPDATE."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    spent_micros = models.PositiveBigIntegerField(default=0)
    exhausted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="ads_campaign_day_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id} on {self.day}"


class CapCounter(models.Model):
    """Ads of one campaign served to one viewer on one day (UTC): raised only while under the campaign's cap.
    `viewer` is "u:<user id>" or "s:<hash of the browser session>" (used when Redis is not configured)."""

    viewer = models.CharField(max_length=40)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["viewer", "day", "campaign"], name="ads_cap_once")]

    def __str__(self) -> str:
        return f"{self.viewer} {self.campaign_id} {self.day}: {self.count}"


class AdEvent(models.Model):
    """An impression or a click of one ad decision: counted (billed or not) or refused, and never twice — the
    decision's id and the kind are unique together."""

    class Kind(models.TextChoices):
        IMPRESSION = "impression", "Impression"
        CLICK = "click", "Click"

    class Outcome(models.TextChoices):
        BILLED = "billed", "Counted and billed"
        COUNTED = "counted", "Counted (not billed: the pricing bills the other kind)"
        OVER_BUDGET = "over_budget", "Counted, not billed: the budget was spent"
        BOT = "bot", "Refused: a bot or a prefetch"
        FLOOD = "flood", "Refused: too many clicks from one address"

    id = IdField(primary_key=True)
    decision_id = models.CharField(max_length=26)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.CharField(max_length=11, choices=Outcome.choices)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    creative = models.ForeignKey(Creative, on_delete=models.CASCADE, related_name="events")
    slot = models.CharField(max_length=20)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="ad_events")
    cost_micros = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["decision_id", "kind"], name="ads_event_once")]
        indexes = [models.Index(fields=["campaign", "created_at"], name="ads_event_campaign_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.decision_id} ({self.outcome})"

    @property
    def counted(self) -> bool:
        return self.outcome in (self.Outcome.BILLED, self.Outcome.COUNTED, self.Outcome.OVER_BUDGET)


class DailyReport(models.Model):
    """The roll-up reports read: per campaign, slot and day (UTC), raised in the transaction that counts an event."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    slot = models.CharField(max_length=20)
    day = models.DateField()
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    spend_micros = models.PositiveBigIntegerField(default=0)
    unbilled = models.PositiveBigIntegerField(default=0)  # counted over budget
    refused_clicks = models.PositiveBigIntegerField(default=0)  # bots and floods
    refused_impressions = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "slot", "day"], name="ads_report_once")]
        ordering = ["-day", "slot"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.slot} {self.day}"
