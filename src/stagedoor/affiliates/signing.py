"""Signatures of postbacks (ours, to an affiliate's tracker) and of callbacks (a tracker's, to us). Sans-Django.

One scheme both ways, the one payment processors use (Stripe-style): the header

    Stagedoor-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is inside the MAC, so a captured message cannot be replayed later than `tolerance` seconds; the
body is the exact bytes sent, so nothing in it can be changed. Trackers verify with `verify` (or the recipe in
docs/affiliates.md).
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Stagedoor-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(Exception):
    """Why a signature was refused: `stale` (timestamp outside the tolerance) or `mismatch` (anything else)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    return f"t={timestamp},v1={mac(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance: int = TOLERANCE_SECONDS) -> int:
    """The header's timestamp if `header` signs `body` with `secret` within `tolerance` of `now`; else SignatureError.

    Several `v1=` values may be sent (a secret being rotated): one matching is enough.
    """
    if not secret:
        raise SignatureError("mismatch")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("mismatch")
    expected = mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise SignatureError("mismatch")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("stale")
    return timestamp
