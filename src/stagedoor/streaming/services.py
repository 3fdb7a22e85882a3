"""Writes of the streaming app: stream key rotation and revocation (audited)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.audit import audit_record

from .errors import StreamKeyNotAllowed
from .models import KEY_PREFIX, StreamKey, stream_key_hash


def stream_key_rotate(*, user: User, actor: Any = None, ip: str = "") -> str:
    """Revoke the performer's current key and return a new one (the only time it is shown)."""
    if user.role != Role.PERFORMER:
        raise StreamKeyNotAllowed()
    prefix = secrets.token_hex(5)
    plaintext = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
    with transaction.atomic():
        now = timezone.now()
        StreamKey.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
        key = StreamKey.objects.create(user=user, prefix=prefix, key_hash=stream_key_hash(plaintext))
        audit_record(actor=actor or user, action="streaming.stream_key_rotated", target=key, ip=ip)
    return plaintext


def stream_key_revoke(*, user: User, actor: Any = None, ip: str = "") -> int:
    with transaction.atomic():
        keys = list(StreamKey.objects.filter(user=user, revoked_at__isnull=True))
        StreamKey.objects.filter(pk__in=[k.pk for k in keys]).update(revoked_at=timezone.now())
        for key in keys:
            audit_record(actor=actor or user, action="streaming.stream_key_revoked", target=key, ip=ip)
    return len(keys)
