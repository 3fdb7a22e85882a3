"""Outgoing webhooks (see docs/webhooks.md): endpoints (a performer's own, or the operator's site-wide ones), the
events sent to them (one stable JSON body each), one delivery per event and endpoint, and every attempt of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.core.fields import EncryptedTextField, IdField

USER = settings.AUTH_USER_MODEL


class Endpoint(models.Model):
    """Where events are POSTed. `scope` performer: the owner's own events only; site: every performer's events
    (staff). The signing secret is encrypted at rest, shown once on creation and on rotation; the previous one
    keeps signing beside it until `previous_secret_until`, so a receiver can switch without losing a delivery."""

    class Scope(models.TextChoices):
        PERFORMER = "performer", "Performer"
        SITE = "site", "Site-wide"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DISABLED = "disabled", "Disabled"

    id = IdField(primary_key=True)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    owner = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list)  # a subset of events.EVENT_TYPES
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    disabled_reason = models.CharField(max_length=20, blank=True, default="")  # owner | failing
    disabled_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)  # the first failure of the current run of them
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "scope"], name="webhook_endpoint_owner"),
            models.Index(fields=["scope", "status"], name="webhook_endpoint_scope"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", disabled_at__isnull=True)
                | Q(status="disabled", disabled_at__isnull=False),
                name="webhook_endpoint_disabled_at",
            )
        ]

    def __str__(self) -> str:
        return f"webhook endpoint {self.pk} {self.url} ({self.status})"


class WebhookEvent(models.Model):
    """One event, as every endpoint receives it: `body` is the envelope {id, type, created_at, data}, serialised
    once, so every attempt and replay sends the same bytes. `key` makes emitting it idempotent (the outbox event
    and, where one outbox event yields several, the item)."""

    id = IdField(primary_key=True)
    key = models.CharField(max_length=120, unique=True)
    type = models.CharField(max_length=40)
    performer = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-created_at"], name="webhook_event_recent")]

    def __str__(self) -> str:
        return f"webhook event {self.pk} {self.type}"


class Delivery(models.Model):
    """An event on its way to one endpoint. Every attempt sends the event's id as `webhook-id`, so a receiver
    that saw it already knows it is the same event. A pass claims a due delivery with a conditional update
    (`lease_until`), so two workers never send one attempt twice."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed (gave up)"
        HELD = "held", "Held (endpoint disabled)"

    id = IdField(primary_key=True)
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"webhook delivery {self.pk} ({self.status}, {self.attempts} attempts)"


class Attempt(models.Model):
    """One HTTP request of a delivery: when, how long, what came back (status and the first KB of the body)."""

    class Outcome(models.TextChoices):
        OK = "ok", "Delivered"
        HTTP_ERROR = "http_error", "Error status"
        TIMEOUT = "timeout", "Timed out"
        CONNECTION = "connection", "Could not connect"
        REFUSED = "refused", "Refused (private address)"

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    manual = models.BooleanField(default=False)  # a replay someone asked for
    started_at = models.DateTimeField()
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, default="")  # the first RESPONSE_BODY_MAX characters
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.outcome}"
