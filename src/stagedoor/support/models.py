"""Tickets and their messages, attachments, the inbound mail log, macros, help articles, notes (docs/support.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.core.fields import (
    EncryptedEmailField,
    EncryptedTextField,
    IdField,
    KeyedHashField,
    OpaqueKeyField,
    with_keyed_hashes,
)

USER = settings.AUTH_USER_MODEL


class Category(models.TextChoices):
    BILLING = "billing", "Billing and purchases"
    TECHNICAL = "technical", "Technical / streaming"
    ACCOUNT = "account", "Account and security"
    VERIFICATION = "verification", "Verification"
    SAFETY = "safety", "Safety report"
    OTHER = "other", "Something else"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"
    LOW = "low", "Low"


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Queue(models.TextChoices):
    L1 = "l1", "Tier 1"
    L2 = "l2", "Tier 2"
    FINANCE = "finance", "Finance"
    COMPLIANCE = "compliance", "Compliance"


class Channel(models.TextChoices):
    WEB = "web", "Help form"
    EMAIL = "email", "E-mail"
    STUDIO = "studio", "Studio"
    WALLET = "wallet", "Wallet"


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        PENDING = "pending", "Waiting for the requester"
        RESOLVED = "resolved", "Resolved"

    id = IdField(primary_key=True)
    requester = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="support_tickets"
    )
    requester_email = EncryptedEmailField(max_length=254)  # encrypted at rest; found by requester_email_hash
    requester_email_hash = KeyedHashField(source="requester_email", kind="email")
    requester_name = EncryptedTextField(blank=True, default="")
    subject = models.CharField(max_length=200)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.OTHER)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    priority_rank = models.PositiveSmallIntegerField(default=2)
    queue = models.CharField(max_length=10, choices=Queue.choices, default=Queue.L1)
    language = models.CharField(max_length=8, default="en")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.WEB)
    assignee = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context = models.JSONField(default=dict, blank=True)  # {"purchase_id"|"room"|"stream": …} from where it was opened
    purchase_id = models.CharField(max_length=26, blank=True, default="")  # billing: the purchase in question
    moderation_case_id = models.CharField(max_length=26, blank=True, default="")  # safety: the case opened
    during_show = models.BooleanField(default=False)  # a performer wrote during their scheduled show hours
    thread_verified = models.BooleanField(default=True)  # False: came with a forged or unknown reply token
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    first_response_due = models.DateTimeField()
    resolution_due = models.DateTimeField()
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    # the soft lock: who is working on the ticket now (visible to others; expires)
    locked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    locked_until = models.DateTimeField(null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)  # 1–5
    csat_comment = EncryptedTextField(blank=True, default="")
    csat_at = models.DateTimeField(null=True, blank=True)
    csat_agent = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [
            # covering for the queue page's ordered id scan (selectors.queue_page)
            models.Index(fields=["status", "queue", "priority_rank", "created_at", "id"], name="support_queue_ids"),
            models.Index(fields=["requester", "-created_at"], name="support_requester"),
            models.Index(fields=["requester_email_hash", "-created_at"], name="support_requester_email"),
            models.Index(fields=["resolved_at", "csat_score"], name="support_csat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(csat_score__isnull=True) | Q(csat_score__gte=1, csat_score__lte=5), name="support_csat_1_5"
            ),
            models.CheckConstraint(condition=Q(priority_rank__lte=3), name="support_priority_rank"),
        ]

    def __str__(self) -> str:
        return f"ticket {self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_keyed_hashes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.RESOLVED


class TicketMessage(models.Model):
    class Author(models.TextChoices):
        REQUESTER = "requester", "Requester"
        AGENT = "agent", "Agent"
        SYSTEM = "system", "System"

    id = IdField(primary_key=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    author_kind = models.CharField(max_length=9, choices=Author.choices)
    internal = models.BooleanField(default=False)  # a note for staff only (escalation notes, auto-replies kept)
    via = models.CharField(max_length=6, choices=Channel.choices, default=Channel.WEB)
    body = EncryptedTextField(blank=True, default="")  # plain text; HTML mail is sanitised into `html`
    html = EncryptedTextField(blank=True, default="")  # sanitised (nh3) HTML of a mail, never the raw HTML
    mail_message_id = OpaqueKeyField(max_length=250, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mail_message_id"], condition=~Q(mail_message_id=""), name="support_message_mail_once"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.ticket_id}"


class Attachment(models.Model):
    class Status(models.TextChoices):
        CLEAN = "clean", "Checked and cleaned"
        REFUSED = "refused", "Refused"

    id = IdField(primary_key=True)
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)  # of the file as received
    status = models.CharField(max_length=7, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True, default="")  # why it was refused
    content = EncryptedTextField(blank=True, default="")  # base64 of the cleaned file; empty when refused
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class InboundMail(models.Model):
    """Every mail received (SMTP or the webhook) and what became of it."""

    class Outcome(models.TextChoices):
        NEW_TICKET = "new_ticket", "Opened a ticket"
        THREADED = "threaded", "Added to its ticket"
        FORGED_TOKEN = "forged_token", "Reply token did not verify: opened a new ticket"
        AUTO_REPLY = "auto_reply", "Auto-reply: kept as a note, not answered"
        AUTO_DROPPED = "auto_dropped", "Auto-reply to nothing: logged, not answered"
        HELD = "held", "Sender over the hourly limit: held"
        DUPLICATE = "duplicate", "Seen before (same Message-ID)"
        REJECTED = "rejected", "Rejected"

    id = IdField(primary_key=True)
    transport = models.CharField(max_length=8)  # smtp | mailgun
    sender = EncryptedEmailField(max_length=254)  # encrypted at rest; found by sender_hash
    sender_hash = KeyedHashField(source="sender", kind="email")
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True, default="")
    mail_message_id = OpaqueKeyField(max_length=250, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True, default="")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = EncryptedTextField(blank=True, default="")  # kept for held mail, so nothing is lost
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["sender_hash", "created_at"], name="support_inbound_sender")]

    def __str__(self) -> str:
        return f"mail from {self.sender} ({self.outcome})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_keyed_hashes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)


class Macro(models.Model):
    """A canned answer with placeholders ({name}, {last_purchase}, {stream_advice}, {ticket}) and actions."""

    id = IdField(primary_key=True)
    title = models.CharField(max_length=100, unique=True)
    body = models.TextField()
    set_category = models.CharField(max_length=12, choices=Category.choices, blank=True, default="")
    escalate_to = models.CharField(max_length=10, choices=Queue.choices, blank=True, default="")
    close = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class HelpArticle(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        PERFORMERS = "performers", "Performers"
        VIEWERS = "viewers", "Viewers"

    id = IdField(primary_key=True)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150)
    summary = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField()  # plain text; paragraphs split by blank lines
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CustomerNote(models.Model):
    """An agent's note about a person (on their timeline), encrypted at rest."""

    id = IdField(primary_key=True)
    subject = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="support_notes")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["subject", "-created_at"], name="support_note_subject")]

    def __str__(self) -> str:
        return f"note on {self.subject_id}"


class StreamIncident(models.Model):
    """A stream health warning a performer's live stream had (from streaming's live health, sampled): when it began,
    when it was last seen and when it cleared. The timeline shows them with the stream sessions."""

    id = IdField(primary_key=True)
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="stream_incidents")
    room_slug = models.CharField(max_length=30)
    code = models.CharField(max_length=40)
    message = models.CharField(max_length=300, blank=True, default="")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["performer", "-started_at"], name="support_incident_performer")]
        constraints = [
            models.UniqueConstraint(
                fields=["performer", "code"], condition=Q(ended_at__isnull=True), name="support_incident_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.room_slug}"
