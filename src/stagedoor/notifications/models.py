"""Go-live notifications: a follower's preferences and push devices, one alert per broadcast, one notification
per (follower, alert)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stagedoor.core.fields import EncryptedJSONField, EncryptedTextField, IdField


class VapidKey(models.Model):
    """The site's VAPID key pair (RFC 8292), made once on first use. The private key is encrypted at rest."""

    id = IdField(primary_key=True)
    name = models.CharField(max_length=20, unique=True, default="default")
    private_pem = EncryptedTextField()
    public_key = models.CharField(max_length=100)  # the uncompressed P-256 point, base64url: applicationServerKey
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"VAPID {self.name}"


class Preference(models.Model):
    """How a person wants to hear that someone they follow went live."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="notification_preference"
    )
    push_enabled = models.BooleanField(default=True)
    email_enabled = models.BooleanField(default=False)
    # quiet hours, in the person's own time zone: nothing is sent from `quiet_start` to `quiet_end` (may wrap midnight)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(quiet_start__isnull=True) & models.Q(quiet_end__isnull=True))
                | (models.Q(quiet_start__isnull=False) & models.Q(quiet_end__isnull=False)),
                name="notif_pref_quiet_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"

    @property
    def has_quiet_hours(self) -> bool:
        return self.quiet_start is not None and self.quiet_end is not None and self.quiet_start != self.quiet_end


class PushSubscription(models.Model):
    """A browser's push subscription (endpoint + keys are personal data: encrypted; `endpoint_hash`, a keyed hash of
    the endpoint, finds it again without decrypting every row)."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = EncryptedTextField()
    keys = EncryptedJSONField()  # {"p256dh": …, "auth": …}
    endpoint_hash = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"push device {self.id} of {self.user_id}"


class LiveAlert(models.Model):
    """One broadcast of a room as notifications see it: made when the room goes from offline to on air."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        STOPPED = "stopped", "Stopped by staff"

    id = IdField(primary_key=True)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="live_alerts")
    event_id = models.CharField(max_length=26, unique=True)  # the outbox event of the status change
    started_at = models.DateTimeField()  # when the room went live (the event's time)
    ended_at = models.DateTimeField(null=True, blank=True)  # when it went offline
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    queued = models.PositiveIntegerField(default=0)  # notifications made by the fan-out
    queued_at = models.DateTimeField(null=True, blank=True)  # when the fan-out finished
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["room", "-started_at"], name="notif_alert_room_idx")]

    def __str__(self) -> str:
        return f"alert {self.id} ({self.room_id})"


class Notification(models.Model):
    """One follower told about one broadcast: at most one per (follower, alert), by constraint."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        DEFERRED = "deferred", "Held for quiet hours"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Nothing to send"
        EXPIRED = "expired", "Show over before quiet hours ended"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Stopped by staff"

    id = models.BigAutoField(primary_key=True)
    # no index of their own: (alert, user) is the unique constraint's index and (user, -id) is notif_user_idx; a
    # fan-out writes 100k rows at once, so each index it can do without counts
    alert = models.ForeignKey(LiveAlert, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_notifications", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    deliver_after = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    pushed = models.PositiveSmallIntegerField(default=0)  # devices the push service accepted
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)  # when a delivery batch took it (status "sending")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="notif_once_per_broadcast")]
        indexes = [
            # partial: only the rows the sweep looks for (held for quiet hours; not delivered yet)
            models.Index(fields=["deliver_after"], name="notif_held_idx", condition=models.Q(status="deferred")),
            models.Index(
                fields=["created_at"], name="notif_pending_idx", condition=models.Q(status__in=["queued", "sending"])
            ),
            models.Index(fields=["user", "-id"], name="notif_user_idx"),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.status})"
