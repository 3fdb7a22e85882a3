"""Core tables: the transactional outbox and the hash-chained audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import Q

from stagedoor.core.fields import EncryptedTextField, IdField


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change that caused it."""

    id = IdField(primary_key=True)
    topic = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        # The sweep's only lookup: undispatched events, oldest first. A partial index holds just those
        # (a handful at any time), so the insert on every money movement stays cheap.
        indexes = [
            models.Index(fields=["created_at"], name="outbox_pending_idx", condition=Q(dispatched_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.id}"


class OutboxDelivery(models.Model):
    """One handler has handled one event. The unique pair makes handlers idempotent."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(max_length=150)
    delivered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="outbox_delivery_once")]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_id}"


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("the audit log is append-only")

    def delete(self) -> NoReturn:
        raise TypeError("the audit log is append-only")


class AuditEntry(models.Model):
    """An append-only, hash-chained record of a staff or security action.

    `hash = sha256(prev_hash + canonical(row))`; `stagedoor audit verify` recomputes the
    chain and names the first row that was edited, deleted or inserted out of band.
    """

    seq = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    actor_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    actor_label = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True, default="")
    target_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    ip = EncryptedTextField(blank=True, default="")  # encrypted at rest (core 0005); the chain covers it (audit.py)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # 1: the row's hash covers the address itself (rows from before core 0005); 2: a keyed hash of it, so the
    # stored hash does not give the (encrypted) address away to someone trying every IPv4 address against it
    chain_version = models.PositiveSmallIntegerField(default=1)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("the audit log is append-only")


class AuditHead(models.Model):
    """The chain's tip (one row). Appends lock it, so the chain is linear across processes."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at {self.last_seq}"


class EncryptionKeyInUse(models.Model):
    """A key-encryption key id that stored crypto tokens may name (`core.keys`).

    Every serving process and `stagedoor migrate` add the active key id; `stagedoor keys rotate` removes an id once
    it has proven that no row names it. Start-up compares this small table with the configured keys and refuses to
    start when a key in use is missing, instead of failing on the first read of an encrypted value.
    """

    key_id = models.CharField(max_length=64, primary_key=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key_id


class KeyRotationProgress(models.Model):
    """How far `stagedoor keys rotate` got in one column towards one key: resumable after a crash."""

    column = models.CharField(max_length=200)  # "<app_label>.<model>.<field>"
    target_key_id = models.CharField(max_length=64)
    last_pk = models.CharField(max_length=200, blank=True, default="")  # "" before the first batch
    rewrapped = models.PositiveBigIntegerField(default=0)
    done = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["column", "target_key_id"], name="key_rotation_progress_once")]

    def __str__(self) -> str:
        return f"{self.column} → {self.target_key_id} after {self.last_pk or '(start)'}"
