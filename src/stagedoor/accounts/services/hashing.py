"""Hashes the account services share: unkeyed SHA-256 for high-entropy secrets, keyed for IP addresses."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def sha256_hex(value: str) -> str:
    """For secrets with 128+ bits of entropy (API tokens, recovery codes): no slow hash needed."""
    return hashlib.sha256(value.encode()).hexdigest()


def ip_hash(ip: str) -> str:
    """A keyed hash of an IP address, for records that must not keep the address itself."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
