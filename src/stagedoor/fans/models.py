"""Fan clubs, memberships, fan-only posts, media files and private messages (see docs/fans.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.core.fields import EncryptedTextField, IdField, OpaqueKeyField, WrappedKeyField

USER = settings.AUTH_USER_MODEL


class FanClub(models.Model):
    """A performer's fan club and their private-message prices (one row per performer, made on first save)."""

    id = IdField(primary_key=True)
    performer = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="fan_club")
    enabled = models.BooleanField(default=False)
    price = models.PositiveIntegerField(default=0)  # tokens per period
    discount_bp = models.PositiveIntegerField(default=0)  # off show rates for members, in basis points
    message_price = models.PositiveIntegerField(default=0)  # tokens per message sent to the performer (0: free)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(discount_bp__lte=10_000), name="fans_discount_bp_max")]

    def __str__(self) -> str:
        return f"fan club of {self.performer_id}"


class Membership(models.Model):
    """One viewer in one fan club. `period_index` counts paid periods (0 = the first), and is the charge key's tail."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        GRACE = "grace", "Renewal failed, in grace"
        LAPSED = "lapsed", "Lapsed (not paid)"
        ENDED = "ended", "Ended (cancelled)"

    id = IdField(primary_key=True)
    club = models.ForeignKey(FanClub, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="fan_memberships")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    period_index = models.PositiveIntegerField(default=0)
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    grace_until = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    last_price = models.PositiveIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["club", "user"], name="fans_membership_once")]
        indexes = [models.Index(fields=["status", "current_period_end"], name="fans_membership_due")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.club_id} ({self.status})"


class MediaItem(models.Model):
    """A cleaned photo or clip, encrypted at rest under the fans var directory (never a public static path)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "Photo"
        VIDEO = "video", "Clip"

    id = IdField(primary_key=True)
    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="fan_media")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(default=0)
    path = models.CharField(max_length=200)  # relative to the fans media root
    wrapped_key = WrappedKeyField()  # the data key, wrapped by a KEK (core.crypto token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class FanPost(models.Model):
    id = IdField(primary_key=True)
    club = models.ForeignKey(FanClub, on_delete=models.CASCADE, related_name="posts")
    media = models.ForeignKey(MediaItem, on_delete=models.PROTECT, related_name="posts")
    caption = models.TextField(blank=True, default="")
    removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"post {self.pk}"


class Thread(models.Model):
    """A private conversation between a fan (any viewer) and a performer."""

    id = IdField(primary_key=True)
    fan = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="fan_threads")
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="performer_threads")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fan", "performer"], name="fans_thread_once")]

    def __str__(self) -> str:
        return f"thread {self.fan_id} / {self.performer_id}"


class Message(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Delivered"
        HELD = "held", "Held for review"
        BLOCKED = "blocked", "Blocked"
        REJECTED = "rejected", "Rejected by a moderator"
        UNPAID = "unpaid", "Approved, but the sender could not pay"

    id = IdField(primary_key=True)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="fan_messages_sent")
    client_key = OpaqueKeyField(max_length=80)
    body = EncryptedTextField(blank=True, default="")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VISIBLE)
    reason = models.CharField(max_length=64, blank=True, default="")
    price_paid = models.PositiveIntegerField(default=0)
    # the price of the message when it was sent: charged then, or when a moderator approves a held one
    price_quoted = models.PositiveIntegerField(default=0)
    media = models.ForeignKey(MediaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    unlock_price = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["sender", "client_key"], name="fans_message_client_key")]
        indexes = [models.Index(fields=["sender", "created_at"], name="fans_message_sender_time")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Unlock(models.Model):
    id = IdField(primary_key=True)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="unlocks")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="fan_unlocks")
    price = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="fans_unlock_once")]

    def __str__(self) -> str:
        return f"unlock {self.message_id} by {self.user_id}"
