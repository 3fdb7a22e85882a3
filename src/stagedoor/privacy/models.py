"""Data-subject requests (export, erasure), their per-app erasure steps, export files, and legal holds."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stagedoor.core.fields import EncryptedTextField, IdField

USER = settings.AUTH_USER_MODEL


class RequestKind(models.TextChoices):
    EXPORT = "export", "Export (access, portability)"
    ERASURE = "erasure", "Erasure"


class RequestSource(models.TextChoices):
    ACCOUNT = "account", "From their account"
    EMAIL = "email", "By e-mail, verified by staff"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its grace period"  # erasure only: the person may still cancel
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed (will be retried)"


OPEN_STATUSES = (RequestStatus.PENDING, RequestStatus.RUNNING, RequestStatus.FAILED)


class PrivacyRequest(models.Model):
    """One data-subject request, tracked to its answer. `due_at` is the legal deadline (one month)."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="privacy_requests")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    source = models.CharField(max_length=10, choices=RequestSource.choices, default=RequestSource.ACCOUNT)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.RUNNING)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    run_after = models.DateTimeField(null=True, blank=True)  # erasure: the end of the grace period
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    outcome = models.TextField(blank=True, default="")  # what was done and what was kept, in words
    # staff-entered requests: who verified the person, and how (e.g. "replied from the account's address")
    verified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verification_note = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_req_queue")]
        constraints = [
            # one open request of a kind per person: asking twice returns the first
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status__in=["pending", "running", "failed"]),
                name="privacy_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.user_id} ({self.status})"


class StepStatus(models.TextChoices):
    DONE = "done", "Done"
    KEPT = "kept", "Kept under a legal hold"


class ErasureStep(models.Model):
    """One app's eraser has run for one request: erasure resumes after a crash from the first app without a
    step, and running it again changes nothing."""

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="steps")
    app_label = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.DONE)
    changed = models.PositiveIntegerField(default=0)
    kept = models.JSONField(default=list)  # [{"what", "legal_basis", "count"}]
    done_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "app_label"], name="privacy_step_once")]

    def __str__(self) -> str:
        return f"{self.app_label} step of {self.request_id}"


class ExportFile(models.Model):
    """The ZIP of one export, encrypted at rest, fetched once through a link whose token only the person got
    (stored as its SHA-256). The content is wiped when fetched or when the link expires."""

    request = models.OneToOneField(PrivacyRequest, on_delete=models.CASCADE, related_name="export_file")
    token_hash = models.CharField(max_length=64, unique=True)
    content = EncryptedTextField(blank=True, default="")  # base64 of the ZIP
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"export of {self.request_id}"


class LegalHold(models.Model):
    """Placed by compliance on an account, or on a case or record (`target_type`, `target_id`, e.g.
    "moderation.case"): erasure and retention keep what it covers until it is released or expires."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds")
    target_type = models.CharField(max_length=100, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="")
    reason = models.TextField()
    placed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    placed_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    release_reason = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(target_type=""), name="privacy_hold_has_subject"
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.id}"


def holds_in_force(*, now: datetime | None = None) -> Q:
    """The holds not released and not expired at `now`."""
    when = now or timezone.now()
    return Q(released_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=when))
