"""Token purchases through payment providers, and the log of every postback received."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stagedoor.core.fields import EncryptedTextField, IdField


class Purchase(models.Model):
    """One attempt to buy a package. The tokens themselves move in the wallet ledger (keyed by this id)."""

    class Status(models.TextChoices):
        CREATED = "created", "Waiting for payment"
        COMPLETED = "completed", "Paid"
        DECLINED = "declined", "Declined"
        REFUNDED = "refunded", "Refunded"
        CHARGED_BACK = "charged_back", "Charged back"

    id = IdField(primary_key=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases")
    package = models.ForeignKey(
        "wallet.TokenPackage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Snapshot of the package at purchase time: editing the package never changes a purchase.
    tokens = models.PositiveIntegerField()
    price_minor = models.PositiveBigIntegerField()
    currency = models.CharField(max_length=3)
    provider = models.CharField(max_length=20)
    provider_ref = models.CharField(max_length=100, blank=True, default="")
    checkout_url = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CREATED, db_index=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    request_hash = models.CharField(max_length=64)
    # The processor's stable id of the card paid with (never the card number), as a keyed hash: enough to see many
    # accounts paying with one card (payouts' anomaly rules), useless outside this database.
    card_fingerprint = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["buyer", "created_at"], name="purchase_buyer_time"),
            models.Index(
                fields=["card_fingerprint"], condition=~models.Q(card_fingerprint=""), name="purchase_card_fingerprint"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="purchase_provider_ref_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.tokens} tokens {self.status}"


class Postback(models.Model):
    """Every postback / webhook received, valid or not, and what we did with it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Duplicate (no-op)"
        IGNORED = "ignored", "Ignored (stale or irrelevant)"
        REFUSED_SIGNATURE = "refused_signature", "Refused: bad signature"
        REFUSED_REPLAY = "refused_replay", "Refused: replayed"
        REFUSED_OUT_OF_ORDER = "refused_out_of_order", "Refused: arrived before the payment (retry later)"
        REFUSED_INVALID = "refused_invalid", "Refused: malformed or not matching the purchase"
        ERROR = "error", "Error"

    id = IdField(primary_key=True)
    provider = models.CharField(max_length=20)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    event_id = models.CharField(max_length=150, blank=True, default="")
    event = models.CharField(max_length=40, blank=True, default="")
    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.SET_NULL, related_name="postbacks")
    signature_valid = models.BooleanField(default=False)
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    remote_ip = EncryptedTextField(blank=True, default="")  # encrypted at rest (payments 0004), emptied after 30 days
    body = EncryptedTextField(blank=True, default="")  # the processor's message: may name the buyer; encrypted

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["provider", "event_id"], name="postback_event")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event or '?'} {self.outcome}"
