"""Payouts tables: a performer's payout method (versioned, details encrypted at rest), the sanctions lists loaded
(every listed name, normalised for matching) and the screening cases in the clearance queue.

A payout method is never edited: a change writes a new version and stamps the old one `superseded_at`, so a payout
run locks the version current at its start and history shows every change.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from stagedoor.core.fields import EncryptedTextField, IdField
from stagedoor.payouts import details as payout_details

USER = settings.AUTH_USER_MODEL


class PayoutMethod(models.Model):
    class Kind(models.TextChoices):
        SEPA = payout_details.SEPA, "Bank transfer (SEPA)"
        EWALLET = payout_details.EWALLET, "E-wallet (Paxum)"
        CRYPTO = payout_details.CRYPTO, "Bitcoin"

    id = IdField(primary_key=True)
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="payout_methods")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    holder_name = EncryptedTextField()
    details = EncryptedTextField()  # a JSON object: {"iban", "bic"} | {"email"} | {"address", "network"}
    name_score = models.PositiveSmallIntegerField(default=0)  # holder name vs verified legal name, when set
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["performer", "version"], name="payout_method_version_once"),
            models.UniqueConstraint(
                fields=["performer"], condition=models.Q(superseded_at__isnull=True), name="payout_method_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"payout method v{self.version} of {self.performer_id} ({self.kind})"

    @property
    def details_dict(self) -> dict[str, str]:
        value: Any = json.loads(self.details) if self.details else {}
        return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}

    @property
    def masked(self) -> str:
        return payout_details.masked(self.kind, self.details_dict)


class SanctionsList(models.Model):
    """One load of a sanctions list: what it was (file hash), how big, when and by whom."""

    id = IdField(primary_key=True)
    source = models.CharField(max_length=300)  # the path it was read from ("sample" for the shipped one)
    sha256 = models.CharField(max_length=64, db_index=True)
    entries = models.PositiveIntegerField()
    names = models.PositiveIntegerField()  # primary names and aliases screened against
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by_label = models.CharField(max_length=80)

    def __str__(self) -> str:
        return f"sanctions list {self.sha256[:12]} ({self.entries} entries)"


class SanctionsName(models.Model):
    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.CASCADE, related_name="listed_names")
    ent_num = models.PositiveIntegerField()
    alt_num = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(max_length=350)
    normalized = models.CharField(max_length=350)
    sdn_type = models.CharField(max_length=20)
    program = models.CharField(max_length=200, blank=True, default="")
    remarks = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} ({self.ent_num})"


class ScreeningCase(models.Model):
    """A name of a performer scored at or above the threshold against a listed name: open until staff clear it
    (a false positive, with the reason) or confirm it (the performer is not paid)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLEARED = "cleared", "Cleared (false positive)"
        CONFIRMED = "confirmed", "Confirmed match"

    class Subject(models.TextChoices):
        LEGAL_NAME = "legal_name", "Verified legal name"
        HOLDER_NAME = "holder_name", "Payout account holder"

    id = IdField(primary_key=True)
    performer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="screening_cases")
    subject = models.CharField(max_length=12, choices=Subject.choices)
    screened_name = EncryptedTextField()
    name_key = models.CharField(max_length=64)  # keyed hash of the normalised screened name (dedupe, no plaintext)
    sanctions_list = models.ForeignKey(SanctionsList, on_delete=models.PROTECT, related_name="cases")
    ent_num = models.PositiveIntegerField()
    matched_name = models.CharField(max_length=350)
    program = models.CharField(max_length=200, blank=True, default="")
    score = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_label = models.CharField(max_length=80, blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["performer", "ent_num", "name_key"], name="screening_case_once"),
        ]
        indexes = [
            models.Index(fields=["status", "-score", "-created_at"], name="screening_queue_idx"),
            models.Index(fields=["performer", "status"], name="screening_performer_idx"),
        ]

    def __str__(self) -> str:
        return f"screening {self.performer_id} ~ {self.ent_num} ({self.score}, {self.status})"


class PayoutRun(models.Model):
    """One payout run for one period: computed (money moved to payout clearing), approved (by one, or two different
    finance staff above the four-eyes total), sent (files built, crypto submitted), then reconciled line by line.
    One run per period, ever: running it again returns this one and pays nobody twice."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        SENT = "sent", "Sent"
        RECONCILED = "reconciled", "Reconciled"
        CANCELLED = "cancelled", "Cancelled"

    id = IdField(primary_key=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL)
    currency = models.CharField(max_length=3)
    rate_minor = models.PositiveIntegerField()  # value of one token, in minor units, locked at the run's start
    reserve_bp = models.PositiveSmallIntegerField(default=0)
    reserve_days = models.PositiveSmallIntegerField(default=0)
    minimum_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.BigIntegerField(default=0)  # to be paid (lines `pending`)
    total_minor = models.BigIntegerField(default=0)
    reserved_tokens = models.BigIntegerField(default=0)
    approvals_needed = models.PositiveSmallIntegerField(default=1)
    transfer_id = models.CharField(max_length=26, blank=True, default="")  # the ledger move out of earnings
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by_label = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="payout_run_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(period_end__gt=models.F("period_start")), name="payout_run_period"
            ),
        ]
        indexes = [models.Index(fields=["-period_end"], name="payout_run_recent")]

    def __str__(self) -> str:
        return f"payout run {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d} ({self.status})"


class PayoutItem(models.Model):
    """One performer in one run: what matured, what the reserve kept, what is paid, to which locked method version,
    and what became of it. `id` is the end-to-end id that travels with the money and comes back in reports."""

    class Status(models.TextChoices):
        PENDING = "pending", "To be paid"
        REVIEW = "review", "Held for review"
        BLOCKED = "blocked", "Not payable"
        BELOW_MINIMUM = "below_minimum", "Below the minimum (carried over)"
        SENT = "sent", "Sent"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed (re-credited)"
        RETURNED = "returned", "Returned (re-credited)"
        CANCELLED = "cancelled", "Cancelled (re-credited)"

    id = IdField(primary_key=True)
    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="items")
    performer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="payout_items")
    status = models.CharField(max_length=16, choices=Status.choices)
    matured_tokens = models.BigIntegerField(default=0)  # payable at the period's end, before the reserve
    held_tokens = models.BigIntegerField(default=0)  # still inside the hold period then (paid in a later run)
    reserve_tokens = models.BigIntegerField(default=0)
    amount_tokens = models.BigIntegerField(default=0)  # paid out (matured − reserve)
    amount_minor = models.BigIntegerField(default=0)
    method = models.ForeignKey(PayoutMethod, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method_kind = models.CharField(max_length=10, blank=True, default="")
    reasons = models.JSONField(default=list, blank=True)  # [{"code", "message"}]: blockers, anomaly flags
    reserve_release_at = models.DateTimeField(null=True, blank=True)
    reserve_released = models.BooleanField(default=False)
    external_id = models.CharField(max_length=100, blank=True, default="")  # BTCPay payout id
    outcome_reason = models.CharField(max_length=200, blank=True, default="")
    settled_transfer_id = models.CharField(max_length=26, blank=True, default="")
    reviewed_by_label = models.CharField(max_length=80, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "performer"], name="payout_item_once_per_run")]
        indexes = [
            models.Index(fields=["performer", "-updated_at"], name="payout_item_performer"),
            models.Index(fields=["run", "status"], name="payout_item_run_status"),
            models.Index(
                fields=["reserve_release_at"],
                condition=models.Q(reserve_released=False, reserve_tokens__gt=0),
                name="payout_item_reserve_due",
            ),
        ]

    def __str__(self) -> str:
        return f"payout {self.id} {self.performer_id} {self.amount_tokens} ({self.status})"


class PayoutApproval(models.Model):
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="approvals")
    approver = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    approver_label = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "approver"], name="payout_approval_once")]

    def __str__(self) -> str:
        return f"{self.approver_label} approved {self.run_id}"


class PayoutFile(models.Model):
    """A file a run produced for a method (SEPA pain.001, e-wallet CSV), kept byte for byte with its hash; it names
    payees and their accounts, so it is encrypted at rest like the details it was built from."""

    id = IdField(primary_key=True)
    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=10)  # sepa | ewallet
    batch_id = models.CharField(max_length=35, unique=True)
    filename = models.CharField(max_length=100)
    content = EncryptedTextField()  # UTF-8 text of the file
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField()
    total_minor = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
