"""Trust & safety tables: cases in one review queue, decisions (append-only) and the statements of reasons
sent to the people they affect, sanctions, user reports, appeals, perceptual-hash lists, moderators' shifts
and what they were exposed to."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stagedoor.core.fields import EncryptedJSONField, IdField
from stagedoor.moderation import policies as P


class Severity(models.TextChoices):
    CRITICAL = P.CRITICAL, "Critical"
    HIGH = P.HIGH, "High"
    MEDIUM = P.MEDIUM, "Medium"
    LOW = P.LOW, "Low"


class Case(models.Model):
    class Source(models.TextChoices):
        CHAT_HOLD = "chat_hold", "Chat message held"
        CHAT_BLOCK = "chat_block", "Chat message blocked"
        FRAME_FLAG = "frame_flag", "Video frame flagged"
        HASH_MATCH = "hash_match", "Hash list match"
        USER_REPORT = "user_report", "User report"
        APPEAL = "appeal", "Appeal"
        STAFF = "staff", "Staff"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMED = "claimed", "Claimed"
        DECIDED = "decided", "Decided"
        ESCALATED = "escalated", "Escalated"

    id = IdField(primary_key=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    category = models.CharField(max_length=32)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField()  # 0 critical … 3 low: the queue's first sort key
    graphic = models.BooleanField(default=False)  # exposure to it is counted (policies.CATEGORIES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="moderation_cases"
    )
    room = models.ForeignKey("rooms.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("chat.ChatMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence = EncryptedJSONField(default=dict, blank=True)  # encrypted at rest: may quote private messages
    hits = models.PositiveIntegerField(default=1)  # how many flags / reports joined this case
    # One message, one stream-minute, one reported target: one open case (see the partial unique constraint).
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()  # created_at + the severity's SLA
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "severity_rank", "created_at"], name="modcase_queue"),
            models.Index(fields=["subject", "-created_at"], name="modcase_subject"),
            models.Index(fields=["room", "-created_at"], name="modcase_room"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key="") & ~Q(status="decided"),
                name="modcase_one_open_per_key",
            ),
            models.CheckConstraint(condition=Q(severity_rank__lte=3), name="modcase_severity_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.category} {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DECIDED


class AppendOnly(models.Model):
    """A record that is written once: the ORM refuses to update or delete it."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(f"{type(self).__name__} rows are append-only")


class Decision(AppendOnly):
    class Action(models.TextChoices):
        DISMISS = P.DISMISS, "Dismiss"
        DELETE_MESSAGE = P.DELETE_MESSAGE, "Delete message"
        TIMEOUT = P.TIMEOUT, "Time out"
        BAN_FROM_ROOM = P.BAN_FROM_ROOM, "Ban from room"
        SUSPEND_ACCOUNT = P.SUSPEND_ACCOUNT, "Suspend account"
        END_STREAM = P.END_STREAM, "End stream"
        REQUEST_VERIFICATION = P.REQUEST_VERIFICATION, "Request identity verification"
        ESCALATE = P.ESCALATE, "Escalate"
        REVERSE = P.REVERSE, "Reverse (appeal upheld)"

    id = IdField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automated = models.BooleanField(default=False)
    policy_code = models.CharField(max_length=16)
    action = models.CharField(max_length=24, choices=Action.choices)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)  # time-outs and timed suspensions
    note = models.TextField(blank=True, default="")  # the moderator's own words (facts), max 2000
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    room = models.ForeignKey("rooms.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence = EncryptedJSONField(default=dict, blank=True)  # what the moderator saw, what enforcement did (encrypted)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="moddecision_created"),
            models.Index(fields=["subject", "-created_at"], name="moddecision_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.action} under {self.policy_code} on {self.case_id}"

    @property
    def restrictive(self) -> bool:
        return self.action in P.RESTRICTIVE


class StatementOfReasons(AppendOnly):
    """What the affected person is told (DSA Art. 17), in the DSA Transparency Database's vocabulary."""

    id = IdField(primary_key=True)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="statement")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    decision_visibility = models.CharField(max_length=48, blank=True, default="")
    decision_provision = models.CharField(max_length=48, blank=True, default="")
    decision_account = models.CharField(max_length=32, blank=True, default="")
    restriction_summary = models.CharField(max_length=200)  # "Your message in room 'x' was removed."
    decision_ground = models.CharField(max_length=40)
    legal_ground = models.CharField(max_length=300, blank=True, default="")
    contractual_ground = models.CharField(max_length=300, blank=True, default="")
    explanation = models.TextField()
    facts = models.TextField()  # facts and circumstances relied on
    category = models.CharField(max_length=64)  # STATEMENT_CATEGORY_*
    keyword = models.CharField(max_length=64, blank=True, default="")
    content_type = models.CharField(max_length=24)  # CONTENT_TYPE_*
    content_date = models.DateTimeField(null=True, blank=True)
    source_type = models.CharField(max_length=32)
    automated_detection = models.BooleanField()
    automated_decision = models.BooleanField()
    territorial_scope = models.JSONField(default=list)
    redress = models.TextField()
    application_date = models.DateTimeField()
    end_date = models.DateTimeField(null=True, blank=True)
    account_type = models.CharField(max_length=24)

    def __str__(self) -> str:
        return f"statement for {self.decision_id}"


class Sanction(models.Model):
    """A restriction in force because of a decision; lifted (kept for the record) on expiry or appeal."""

    class Kind(models.TextChoices):
        SUSPENSION = "suspension", "Account suspended"
        ROOM_BAN = "room_ban", "Banned from a room"
        TIMEOUT = "timeout", "Timed out in a room"

    id = IdField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    room = models.ForeignKey("rooms.Room", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="sanctions")
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)  # None: until lifted
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="lifted_sanctions"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "kind"], name="modsanction_user")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id}"


class Report(models.Model):
    class TargetKind(models.TextChoices):
        MESSAGE = "message", "A chat message"
        ROOM = "room", "A room"
        USER = "user", "A person"

    class Status(models.TextChoices):
        OPEN = "open", "Under review"
        ACTIONED = "actioned", "Action taken"
        DISMISSED = "dismissed", "No action taken"

    id = IdField(primary_key=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_filed")
    target_kind = models.CharField(max_length=8, choices=TargetKind.choices)
    target_id = models.CharField(max_length=26)
    reason = models.CharField(max_length=32)  # a reportable category (policies.REPORT_REASONS)
    text = models.TextField(blank=True, default="")  # ≤ 2000 characters
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    outcome = models.CharField(max_length=200, blank=True, default="")  # what the reporter is told
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["reporter", "-created_at"], name="modreport_reporter")]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_kind", "target_id"],
                condition=Q(status="open"),
                name="modreport_once_while_open",
            ),
        ]

    def __str__(self) -> str:
        return f"report of {self.target_kind} {self.target_id}"


class Appeal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Under review"
        DECIDED = "decided", "Decided"

    class Outcome(models.TextChoices):
        UPHELD = "upheld", "Upheld: the decision was reversed"
        REJECTED = "rejected", "Rejected: the decision stands"

    id = IdField(primary_key=True)
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")  # one per decision
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals")
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeal")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True, default="")
    reviewer_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"appeal of {self.decision_id}"


class HashList(models.Model):
    class Kind(models.TextChoices):
        PROHIBITED = "prohibited", "Known prohibited content (ends the stream)"
        REMOVED = "removed", "Previously removed content"
        LEAKED = "leaked", "A performer's leaked content"

    id = IdField(primary_key=True)
    name = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # the performer a leaked list protects
    description = models.CharField(max_length=200, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(kind="leaked") | Q(owner__isnull=True), name="modhash_owner_leaked")
        ]

    def __str__(self) -> str:
        return self.name


class HashEntry(models.Model):
    hash_list = models.ForeignKey(HashList, on_delete=models.CASCADE, related_name="entries")
    hash_hex = models.CharField(max_length=64)  # PDQ: 256 bits as 64 lower-case hex digits
    ref = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hash_list", "hash_hex"], name="modhash_once_per_list")]

    def __str__(self) -> str:
        return f"{self.hash_list_id}:{self.hash_hex[:12]}…"


class RoomContentPolicy(models.Model):
    """What a room allows on camera, read by the frame scanner (flags a breach)."""

    room = models.OneToOneField("rooms.Room", on_delete=models.CASCADE, primary_key=True, related_name="+")
    non_nude = models.BooleanField(default=False)
    restricted_regions = models.JSONField(default=list, blank=True)  # ISO codes where content is restricted
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"content policy of {self.room_id}"


class ModeratorShift(models.Model):
    """A moderator's working session: started by their first action, closed by them or after the shift length."""

    id = IdField(primary_key=True)
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_break_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["moderator", "-started_at"], name="modshift_recent")]
        constraints = [
            models.UniqueConstraint(fields=["moderator"], condition=Q(ended_at__isnull=True), name="modshift_one_open")
        ]

    def __str__(self) -> str:
        return f"shift of {self.moderator_id} from {self.started_at:%Y-%m-%d %H:%M}"


class Exposure(models.Model):
    """A graphic case a moderator opened (viewed) or one of its media items they revealed, once per shift."""

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Viewed (blurred)"
        REVEALED = "revealed", "Revealed"

    shift = models.ForeignKey(ModeratorShift, on_delete=models.CASCADE, related_name="exposures")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    item = models.CharField(max_length=40, blank=True, default="")  # which frame of the case ("" for viewed)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shift", "case", "kind", "item"], name="modexposure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}/{self.item}"
