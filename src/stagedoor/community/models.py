"""Events and themed nights, contests, badges and levels (see docs/community.md).

Nothing here counts money or minutes: a contest's leaderboard is a query over the ledger's tip records (and the
broadcasts' times) inside the contest window, computed when it is read. `UserLevel` holds a person's levels as last
recomputed — each time in full from the ledger and the broadcasts, never incremented — so it cannot drift.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from stagedoor.core.fields import IdField

USER = settings.AUTH_USER_MODEL


class Event(models.Model):
    """A scheduled event or themed night staff announce; performers opt in from their studio."""

    class Kind(models.TextChoices):
        THEMED_NIGHT = "themed_night", "Themed night"
        EVENT = "event", "Event"

    id = IdField(primary_key=True)
    slug = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.THEMED_NIGHT)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "slug"]
        indexes = [models.Index(fields=["ends_at"], name="community_event_ends")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="community_event_span")]

    def __str__(self) -> str:
        return self.title


class EventEntry(models.Model):
    """A performer who opted in to an event: their room shows under the event's directory filter."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="entries")
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="event_entries")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "performer"], name="community_event_entry_once")]

    def __str__(self) -> str:
        return f"{self.performer_id} in {self.event_id}"


class Contest(models.Model):
    """A contest between the performers who enter it: most tips received, or most minutes streamed, in a window."""

    class Metric(models.TextChoices):
        TIPS = "tips", "Tips received (tokens)"
        MINUTES = "minutes", "Minutes streamed"

    id = IdField(primary_key=True)
    slug = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    metric = models.CharField(max_length=8, choices=Metric.choices, default=Metric.TIPS)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="contests")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # set once by the awards pass after the contest ended: the winners' badges were given
    settled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "slug"]
        indexes = [models.Index(fields=["ends_at"], name="community_contest_ends")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="community_contest_span")]

    def __str__(self) -> str:
        return self.title


class ContestEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="contest_entries")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "performer"], name="community_contest_entry_once")]

    def __str__(self) -> str:
        return f"{self.performer_id} in {self.contest_id}"


class BadgeAward(models.Model):
    """A badge given to a person by a rule (community/badges.py), at most once per rule and period.

    `period` is "" for a once-in-a-lifetime badge ("first tip"), "2026-05:<performer id>" for the top supporter of a
    performer in May 2026, the contest's id for a contest win. The unique constraint is what makes a replayed event
    or a second pass harmless."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="badges")
    rule = models.CharField(max_length=32)
    period = models.CharField(max_length=80, blank=True, default="")
    scope_id = models.CharField(max_length=26, blank=True, default="")  # the performer (top supporter), the contest
    awarded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "rule", "period"], name="community_badge_once")]
        indexes = [models.Index(fields=["rule", "scope_id"], name="community_badge_scope")]

    def __str__(self) -> str:
        return f"{self.rule} {self.period} for {self.user_id}"


class UserLevel(models.Model):
    """A person's levels, each recomputed in full from the ledger and the broadcasts (never incremented)."""

    user = models.OneToOneField(USER, primary_key=True, on_delete=models.CASCADE, related_name="community_level")
    tokens_spent = models.BigIntegerField(default=0)
    viewer_level = models.PositiveSmallIntegerField(default=1)
    seconds_streamed = models.BigIntegerField(default=0)
    tokens_earned = models.BigIntegerField(default=0)
    performer_level = models.PositiveSmallIntegerField(default=0)  # 0: not a performer
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id}: viewer {self.viewer_level}, performer {self.performer_level}"


class AwardsCursor(models.Model):
    """Where the periodic awards pass is in the ledger: it re-reads from `prev_id` (the pass before last), so an
    entry whose transaction committed late is still seen; recomputing a level twice is harmless."""

    name = models.CharField(max_length=20, primary_key=True)
    prev_id = models.BigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id}"
