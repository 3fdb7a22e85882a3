"""Stream keys: shown once, stored as SHA-256, one active key per performer."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from stagedoor.core.fields import IdField

KEY_PREFIX = "live_"


def stream_key_hash(plaintext: str) -> str:
    """Stream keys are stored as their SHA-256 (a key is 32+ random bytes, so no slow hash is needed)."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


class StreamKey(models.Model):
    id = IdField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stream_keys")
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="one_active_stream_key_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"live_{self.prefix}_… ({self.user_id})"
