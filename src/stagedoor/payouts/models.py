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
