"""A performer's room: what viewers find in the directory and open to watch and chat."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stagedoor.core.fields import IdField


class Room(models.Model):
    class Status(models.TextChoices):
        OFFLINE = "offline", "Offline"
        LIVE = "live", "Live"
        RECONNECTING = "reconnecting", "Reconnecting"

    id = IdField(primary_key=True)
    performer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room")
    slug = models.SlugField(max_length=30, unique=True)
    title = models.CharField(max_length=120, blank=True, default="")
    topic = models.CharField(max_length=280, blank=True, default="")
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFLINE, db_index=True)
    live_since = models.DateTimeField(null=True, blank=True)
    viewer_count = models.PositiveIntegerField(default=0)
    thumbnail_path = models.CharField(max_length=300, blank=True, default="")
    # ISO 3166-1 country codes ("DE") or ISO 3166-2 subdivisions ("US-TX") blocked from the room.
    blocked_regions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "-viewer_count"], name="room_directory_idx")]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_live(self) -> bool:
        return self.status != self.Status.OFFLINE

    @property
    def url(self) -> str:
        return f"/r/{self.slug}"


class Follow(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "room"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.room_id}"


class ScheduledShow(models.Model):
    """A show the performer announces: "Next show: Fri 21 Mar, 20:00 UTC" on the room page and the directory."""

    id = IdField(primary_key=True)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="scheduled_shows")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    title = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["room", "starts_at"], name="show_room_starts_idx")]
        constraints = [
            models.UniqueConstraint(fields=["room", "starts_at"], name="show_once_per_start"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=720), name="show_duration_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_id} at {self.starts_at:%Y-%m-%d %H:%M}"
