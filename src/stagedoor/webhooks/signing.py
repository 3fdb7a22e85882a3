"""Standard Webhooks signatures (https://www.standardwebhooks.com), sans-I/O.

A secret is `whsec_` + base64 of 32 random bytes. Each request carries

    webhook-id:        the event's id — the same on every attempt and replay (receivers de-duplicate on it)
    webhook-timestamp: the attempt's time, in whole seconds since the epoch
    webhook-signature: `v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}" with the secret's bytes>`;
                       during a rotation one signature per secret, separated by spaces

`verify` is what a receiver does; the tests' fake endpoint and docs/webhooks.md use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping

PREFIX = "whsec_"
DEFAULT_TOLERANCE_S = 300


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    raw = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    return base64.b64decode(raw)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(msg_id: str, timestamp: int, body: bytes, secrets_: Iterable[str]) -> dict[str, str]:
    signatures = " ".join(sign(s, msg_id, timestamp, body) for s in secrets_ if s)
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
        "user-agent": "Stagedoor-Webhooks/1",
    }


def verify(
    secret: str, received: Mapping[str, str], body: bytes, *, now: int, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> bool:
    """True when one of the `v1` signatures matches and the timestamp is within `tolerance_s` of `now`."""
    lowered = {k.lower(): v for k, v in received.items()}
    msg_id = lowered.get("webhook-id", "")
    try:
        timestamp = int(lowered.get("webhook-timestamp", ""))
    except ValueError:
        return False
    if not msg_id or abs(now - timestamp) > tolerance_s:
        return False
    expected = sign(secret, msg_id, timestamp, body)
    return any(hmac.compare_digest(expected, part) for part in lowered.get("webhook-signature", "").split())
