"""Chat tables: messages (written in batches by the gateway), room chat settings, chat
hosts, bans and time-outs, and the record of every moderation action."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.chat import codes as C
from stagedoor.core.fields import EncryptedTextField, IdField


class ChatMessage(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HELD = "held", "Held for review"
        DELETED = "deleted", "Deleted"
        # The classifier blocked it: kept for the record (a case, a statement of reasons, an appeal), never shown
        # unless an upheld appeal restores it.
        BLOCKED = "blocked", "Blocked by the classifier"

    # The gateway makes the id (core.ids) before the row exists: the row is written later,
    # in a batch, and a moderator may delete the message before that.
    id = models.CharField(primary_key=True, max_length=26, editable=False)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="chat_messages")
    seq = models.BigIntegerField(null=True, blank=True)  # None while held or blocked
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    login = models.CharField(max_length=30)
    role = models.CharField(max_length=20)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    reason = models.CharField(max_length=200, blank=True, default="")
    # the sender's address, encrypted at rest (docs/privacy.md); None when unknown or erased. The stubs type
    # EncryptedTextField's value as str, hence the ignores here and where a message is built.
    ip = EncryptedTextField(null=True, blank=True)  # type: ignore[misc]
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["room", "-created_at"], name="chatmsg_room_recent"),
            models.Index(fields=["user", "-created_at"], name="chatmsg_user_recent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], condition=Q(seq__isnull=False), name="chatmsg_room_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.login}: {self.text[:40]}"


class ChatRoomSettings(models.Model):
    room = models.OneToOneField("rooms.Room", on_delete=models.CASCADE, primary_key=True, related_name="chat_settings")
    slow_seconds = models.PositiveSmallIntegerField(default=0)
    audience = models.CharField(
        max_length=16,
        default=C.AUDIENCE_EVERYONE,
        choices=[(a, a.replace("_", " ")) for a in C.AUDIENCES],
    )
    links_allowed = models.BooleanField(default=True)
    emails_allowed = models.BooleanField(default=True)
    phones_allowed = models.BooleanField(default=True)
    blocked_words = models.TextField(blank=True, default="", help_text="One word per line; end with * for a prefix")
    # Moderation validates and owns the meaning (moderation.services.room_chat_policy_set);
    # chat stores the strings and carries them to the gateways.
    classifier_actions = models.JSONField(
        default=dict, blank=True, help_text='The classifier\'s per-room actions: {"category": "allow|hold|block"}'
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(slow_seconds__lte=C.SLOW_MODE_MAX_SECONDS), name="chat_slow_mode_range"),
        ]

    def __str__(self) -> str:
        return f"chat settings of {self.room_id}"


class ChatHost(models.Model):
    """A user the performer trusts to moderate their room's chat."""

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="chat_hosts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_host_of")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_host_once")]

    def __str__(self) -> str:
        return f"{self.user_id} hosts {self.room_id}"


class ChatRestriction(models.Model):
    """A ban (no ``until``) or a time-out; lifted ones are kept for the record."""

    class Kind(models.TextChoices):
        BAN = "ban", "Ban"
        TIMEOUT = "timeout", "Time-out"

    id = IdField(primary_key=True)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="chat_restrictions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_restrictions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    until = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["room", "user"], name="chat_restr_room_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ban", until__isnull=True) | Q(kind="timeout", until__isnull=False),
                name="chat_restr_kind_until",
            ),
            # At most one active (not lifted) restriction per user and room, even when two
            # moderators act at the same moment: the database refuses the second insert.
            models.UniqueConstraint(
                fields=["room", "user"], condition=Q(lifted_at__isnull=True), name="chat_restr_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} in {self.room_id}"


class ChatModerationAction(models.Model):
    """Every moderation decision in chat: who, which action, on whom, on what grounds."""

    id = IdField(primary_key=True)
    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="chat_actions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField(max_length=20)
    action = models.CharField(max_length=16)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_ids = models.JSONField(default=list, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    policy = models.CharField(max_length=60, default="room_rules")
    statement = models.TextField(blank=True, default="", help_text="The reasons shown to the user")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["room", "-created_at"], name="chat_action_room_recent")]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} in {self.room_id}"
