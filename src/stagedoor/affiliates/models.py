"""Affiliates: commission plans, affiliates and their referral links, clicks, referred sign-ups (attribution),
commissions (accrued into the wallet's affiliate payables), postbacks to the affiliate's tracker and their
delivery log, and the inbound callbacks a tracker sends us.

Privacy: addresses and devices are never stored as such, only as keyed hashes (`address_key`, `network_key`,
`device_key`: HMAC of the site's secret), enough to count repeats and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stagedoor.core.fields import EncryptedTextField, IdField, OpaqueKeyField


class CommissionPlan(models.Model):
    """What an affiliate earns on the people they refer, and how long a click counts."""

    class Kind(models.TextChoices):
        REVSHARE = "revshare", "Revenue share"
        CPA = "cpa", "CPA (first purchase)"

    class Attribution(models.TextChoices):
        LAST_CLICK = "last_click", "Last click"
        FIRST_CLICK = "first_click", "First click"

    id = IdField(primary_key=True)
    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    share_bp = models.PositiveIntegerField(default=0)  # revshare: of the tokens a referred viewer buys
    months = models.PositiveIntegerField(default=0)  # revshare: for this many months after the sign-up
    cpa_tokens = models.PositiveIntegerField(default=0)  # cpa: once, on the referred viewer's first purchase
    window_days = models.PositiveIntegerField(default=30)  # a click counts for a sign-up this long
    attribution = models.CharField(max_length=12, choices=Attribution.choices, default=Attribution.LAST_CLICK)
    # The plan a performer gets when they ask for their own referral link (at most one).
    for_performers = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="revshare") | (Q(share_bp__gte=1, share_bp__lte=10_000) & Q(months__gte=1)),
                name="aff_plan_revshare_terms",
            ),
            models.CheckConstraint(condition=~Q(kind="cpa") | Q(cpa_tokens__gte=1), name="aff_plan_cpa_terms"),
            models.CheckConstraint(condition=Q(window_days__gte=1, window_days__lte=365), name="aff_plan_window"),
            models.UniqueConstraint(
                fields=["for_performers"], condition=Q(for_performers=True), name="aff_plan_one_perf"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def terms(self) -> str:
        if self.kind == self.Kind.REVSHARE:
            return f"{self.share_bp / 100:g}% of purchases for {self.months} month{'s' if self.months != 1 else ''}"
        return f"{self.cpa_tokens} tokens on the first purchase"


class Affiliate(models.Model):
    class Kind(models.TextChoices):
        PARTNER = "partner", "Affiliate partner"
        PERFORMER = "performer", "Performer referring performers"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    id = IdField(primary_key=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="affiliate")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PARTNER)
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="affiliates")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Server-to-server postbacks: where to, and the shared secret they are signed with (encrypted at rest).
    postback_url = models.CharField(max_length=500, blank=True, default="")
    postback_secret = EncryptedTextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"affiliate {self.user_id}"


class ReferralLink(models.Model):
    """`/ref/<code>`: the code is also what a person types."""

    id = IdField(primary_key=True)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=32, unique=True)
    landing = models.CharField(max_length=200, default="/")  # a path on this site
    label = models.CharField(max_length=80, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """One counted click: one address on one link counts once per de-duplication bucket (the unique row)."""

    id = models.BigAutoField(primary_key=True)
    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="clicks")
    bucket = models.BigIntegerField()  # epoch seconds // click_dedup_seconds
    address_key = models.CharField(max_length=32)
    network_key = models.CharField(max_length=32)
    device_key = models.CharField(max_length=32)
    sub_id = models.CharField(max_length=100, blank=True, default="")  # the tracker's own click id, echoed back
    visitor = models.ForeignKey(  # who clicked, when signed in (the affiliate clicking their own link: a fraud signal)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["link", "address_key", "bucket"], name="aff_click_once")]
        indexes = [models.Index(fields=["link", "created_at"], name="aff_click_link_time")]

    def __str__(self) -> str:
        return f"click {self.pk} on {self.link_id}"


class Referral(models.Model):
    """A sign-up attributed to an affiliate, with the plan that applied at that moment."""

    class Hold(models.TextChoices):
        NONE = "", "—"
        SELF_REFERRAL = "self_referral", "Self-referral"
        DEVICE_BURST = "device_burst", "Many sign-ups from one device"
        NETWORK_BURST = "network_burst", "Many sign-ups from one network"
        CHARGEBACK = "chargeback", "Chargeback"

    id = IdField(primary_key=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referred_by")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="referrals")
    link = models.ForeignKey(ReferralLink, on_delete=models.PROTECT, related_name="referrals")
    click = models.ForeignKey(Click, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="+")
    signed_up_at = models.DateTimeField()
    address_key = models.CharField(max_length=32, blank=True, default="")
    network_key = models.CharField(max_length=32, blank=True, default="")
    device_key = models.CharField(max_length=32, blank=True, default="")
    hold = models.CharField(max_length=16, choices=Hold.choices, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["affiliate", "created_at"], name="aff_referral_time"),
            models.Index(fields=["affiliate", "device_key"], name="aff_referral_device"),
            models.Index(fields=["affiliate", "network_key"], name="aff_referral_network"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} referred by {self.affiliate_id}"


class Commission(models.Model):
    """What one purchase of a referred viewer earned the affiliate.

    `accrued`: in the ledger (platform revenue → the affiliate's payables, transfer `transfer_id`), payable once
    `matures_at` has passed; `held`: not payable until staff release it (accrued into the ledger only then, if it
    was held from the start); `voided`: never payable (a refund, a chargeback, staff), its accrual reversed.
    """

    class Status(models.TextChoices):
        ACCRUED = "accrued", "Accrued"
        HELD = "held", "Held"
        VOIDED = "voided", "Voided"

    id = IdField(primary_key=True)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.PROTECT, related_name="commissions")
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="commissions")
    purchase_id = models.CharField(max_length=26)
    kind = models.CharField(max_length=10, choices=CommissionPlan.Kind.choices)
    base_tokens = models.PositiveBigIntegerField()  # tokens the referred viewer bought
    tokens = models.PositiveBigIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, db_index=True)
    reason = models.CharField(max_length=200, blank=True, default="")  # why held or voided
    transfer_id = models.CharField(max_length=26, blank=True, default="")
    reversal_id = models.CharField(max_length=26, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    matures_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "purchase_id"], name="aff_commission_once_per_purchase"),
            models.UniqueConstraint(fields=["referral"], condition=Q(kind="cpa"), name="aff_commission_one_cpa"),
            models.CheckConstraint(condition=Q(tokens__gte=1), name="aff_commission_positive"),
        ]
        indexes = [models.Index(fields=["affiliate", "created_at"], name="aff_commission_time")]

    def __str__(self) -> str:
        return f"{self.tokens} tokens ({self.status}) for {self.purchase_id}"


class Postback(models.Model):
    """A server-to-server notice to the affiliate's tracker: signed, retried with back-off, every try logged."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    id = IdField(primary_key=True)
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="postbacks")
    event = models.CharField(max_length=40)
    event_key = OpaqueKeyField(max_length=120, unique=True)  # one postback per thing that happened
    url = models.CharField(max_length=500)
    body = models.TextField()  # the JSON exactly as signed and sent
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="aff_postback_due", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.affiliate_id} ({self.status})"


class PostbackAttempt(models.Model):
    id = models.BigAutoField(primary_key=True)
    postback = models.ForeignKey(Postback, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["postback", "number"]
        constraints = [models.UniqueConstraint(fields=["postback", "number"], name="aff_postback_try_once")]

    def __str__(self) -> str:
        return f"try {self.number} of {self.postback_id}: {self.status_code or self.error}"


class InboundCallback(models.Model):
    """Every callback a tracker sent us, verified or not, and what we did with it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Duplicate (no-op)"
        REFUSED_SIGNATURE = "refused_signature", "Refused: bad signature"
        REFUSED_STALE = "refused_stale", "Refused: timestamp too old or in the future"
        REFUSED_INVALID = "refused_invalid", "Refused: malformed"

    id = IdField(primary_key=True)
    affiliate = models.ForeignKey(Affiliate, null=True, blank=True, on_delete=models.CASCADE, related_name="callbacks")
    event_id = models.CharField(max_length=100, blank=True, default="")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "event_id"], condition=Q(outcome="applied"), name="aff_callback_applied_once"
            )
        ]

    def __str__(self) -> str:
        return f"callback {self.event_id} {self.outcome}"
