"""Shows (private, group, ticket; spies watch privates), their participants, every billed minute, and the
WebRTC sessions Stagedoor holds on the SFU (Janus) for them.

Billing model (docs/shows.md): a minute is paid *before* it is watched. Minute 1 is captured from the hold
placed when the viewer asked to join; minute n+1 is charged from the wallet shortly before `paid_until`
(the end of minute n). Each minute is one `ShowMinute` row and one ledger transfer keyed
`show:<participant>:<minute>`, written in one transaction with the participant's new `paid_until`, so a
biller killed at any instant resumes from the last charged minute and can never charge a minute twice.
The media token a participant holds ends at `paid_until`: a viewer who stops paying stops receiving.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stagedoor.core.fields import IdField


class ShowKind(models.TextChoices):
    PRIVATE = "private", "Private show"
    GROUP = "group", "Group show"
    TICKET = "ticket", "Ticket show"


class ShowStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"  # private: waiting for the performer to accept
    SCHEDULED = "scheduled", "Scheduled"  # ticket: on sale until it starts
    WAITING = "waiting", "Waiting for viewers"  # group: until the minimum have joined
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_STATUSES = frozenset({ShowStatus.REQUESTED, ShowStatus.SCHEDULED, ShowStatus.WAITING, ShowStatus.LIVE})


class ShowSettings(models.Model):
    """A performer's show prices (tokens per minute) and what they allow; within the platform's limits."""

    performer = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="show_settings"
    )
    private_enabled = models.BooleanField(default=True)
    private_rate = models.PositiveIntegerField(default=60)
    group_enabled = models.BooleanField(default=True)
    group_rate = models.PositiveIntegerField(default=20)
    group_minimum = models.PositiveSmallIntegerField(default=3)
    spy_enabled = models.BooleanField(default=False)
    spy_rate = models.PositiveIntegerField(default=20)
    cam2cam_enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"show settings of {self.performer_id}"


class Show(models.Model):
    id = IdField(primary_key=True)
    performer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shows")
    room = models.ForeignKey("rooms.Room", on_delete=models.PROTECT, related_name="shows")
    kind = models.CharField(max_length=8, choices=ShowKind.choices)
    status = models.CharField(max_length=10, choices=ShowStatus.choices, db_index=True)
    title = models.CharField(max_length=120, blank=True, default="")
    # Tokens per minute for each paying participant (private, group) before a fan's discount.
    rate = models.PositiveIntegerField(default=0)
    # Spies (private shows only, when allowed): tokens per minute; 0 = no spying.
    spy_rate = models.PositiveIntegerField(default=0)
    minimum = models.PositiveSmallIntegerField(default=1)  # group: starts when this many have joined
    ticket_price = models.PositiveIntegerField(default=0)  # ticket: fixed price
    starts_at = models.DateTimeField(null=True, blank=True)  # ticket: scheduled start
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=40, blank=True, default="")
    # The SFU room this show's media runs in (allocated when it goes live).
    media_room = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["room", "status"], name="show_room_status"),
            models.Index(fields=["kind", "status", "starts_at"], name="show_kind_status_start"),
        ]
        constraints = [
            # One open show per room at a time (a room is either public, or in one show).
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(status__in=["waiting", "live"]),
                name="show_one_open_per_room",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} show {self.id}"


class ParticipantRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"  # pays the show's rate (private, group)
    SPY = "spy", "Spy"  # watches a private show at the spy rate, no chat, no camera
    TICKET = "ticket", "Ticket holder"


class ParticipantStatus(models.TextChoices):
    HELD = "held", "Holding"  # first minute on hold (or ticket bought), not started yet
    ACTIVE = "active", "In the show"
    LEFT = "left", "Left"
    DROPPED = "dropped", "Dropped (funds ran out)"
    RELEASED = "released", "Released (the show did not happen)"


class Participant(models.Model):
    id = IdField(primary_key=True)
    show = models.ForeignKey(Show, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="show_seats")
    role = models.CharField(max_length=8, choices=ParticipantRole.choices)
    status = models.CharField(max_length=10, choices=ParticipantStatus.choices, db_index=True)
    rate = models.PositiveIntegerField(default=0)  # tokens per minute after a fan's discount
    # The ledger transfer holding the first minute (or the ticket's price) until the show runs.
    hold = models.OneToOneField(
        "wallet.LedgerTransfer", null=True, blank=True, on_delete=models.PROTECT, related_name="show_hold"
    )
    hold_settled = models.BooleanField(default=False)
    # The hold's settlement (minute 1 or the ticket captured, or the hold released), once settled.
    settlement = models.OneToOneField(
        "wallet.LedgerTransfer", null=True, blank=True, on_delete=models.PROTECT, related_name="show_settlement"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # Billing: the end of the last minute paid for; the count of minutes charged.
    paid_until = models.DateTimeField(null=True, blank=True, db_index=True)
    minutes_billed = models.PositiveIntegerField(default=0)
    last_seen = models.DateTimeField(null=True, blank=True)  # the viewer's page heartbeat
    low_funds_warned_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    leave_reason = models.CharField(max_length=40, blank=True, default="")
    # A short per-viewer code drawn over the video (leak tracing).
    watermark = models.CharField(max_length=12, default="")
    cam_on = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["show", "user"], name="show_participant_once")]
        indexes = [models.Index(fields=["status", "paid_until"], name="show_participant_billing")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.show_id}"


class ShowMinute(models.Model):
    """One billed minute of one participant: append-only, one ledger transfer each."""

    id = models.BigAutoField(primary_key=True)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="minutes")
    minute = models.PositiveIntegerField()  # 1, 2, 3… per participant
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    amount = models.PositiveIntegerField()
    transfer = models.OneToOneField("wallet.LedgerTransfer", on_delete=models.PROTECT, related_name="show_minute")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "minute"], name="show_minute_once")]

    def __str__(self) -> str:
        return f"minute {self.minute} of {self.participant_id}"


class MediaRole(models.TextChoices):
    PUBLISH = "publish", "Publish"
    SUBSCRIBE = "subscribe", "Subscribe"


class MediaSession(models.Model):
    """A WebRTC session Stagedoor opened on the SFU for someone (it, not the browser, talks to the SFU's API).

    `expires_at` is the signed grant's end (a show participant's `paid_until`); the reaper closes sessions
    whose grant lapsed, and the SFU drops sessions Stagedoor stops keeping alive."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="media_sessions")
    show = models.ForeignKey(Show, null=True, blank=True, on_delete=models.CASCADE, related_name="media_sessions")
    room = models.ForeignKey(
        "rooms.Room", null=True, blank=True, on_delete=models.CASCADE, related_name="media_sessions"
    )  # a public room's browser broadcast (WHIP into the transcoder ladder)
    role = models.CharField(max_length=10, choices=MediaRole.choices)
    sfu_room = models.BigIntegerField()
    sfu_session = models.BigIntegerField()
    sfu_handle = models.BigIntegerField()
    feed = models.BigIntegerField(null=True, blank=True)  # the publisher's feed id in the SFU room
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["closed_at", "expires_at"], name="media_session_open")]

    def __str__(self) -> str:
        return f"{self.role} {self.sfu_session}/{self.sfu_handle}"
