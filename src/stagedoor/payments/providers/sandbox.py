"""The embedded sandbox processor: a checkout page inside Stagedoor and signed JSON webhooks.

Wire format (what a real processor of this style sends):

    POST /api/v1/payments/postback/sandbox
    Content-Type: application/json
    Sandbox-Signature: t=1767225600,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

    {"id": "evt_…", "type": "payment.approved" | "payment.declined" | "payment.refunded" | "payment.chargeback",
     "created": 1767225600,
     "data": {"reference": "<purchase id>", "transaction_id": "sbx_…", "amount": "9.99",
              "amount_minor": 999, "currency": "USD"}}

A signature older than five minutes is refused as a replay; the same `id` twice is a duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from stagedoor.core import strictjson
from stagedoor.core.currency import currency_exponent, minor_to_decimal_string
from stagedoor.core.errors import DuplicateJsonKey
from stagedoor.core.ids import new_id
from stagedoor.payments import conf
from stagedoor.payments.errors import ForgedPostback, MalformedPostback, ReplayedPostback
from stagedoor.payments.providers import base

if TYPE_CHECKING:
    from stagedoor.payments.models import Purchase

SIGNATURE_HEADER = "sandbox-signature"
TOLERANCE_SECONDS = 300
TYPES = {
    "payment.approved": base.APPROVED,
    "payment.declined": base.DECLINED,
    "payment.refunded": base.REFUNDED,
    "payment.chargeback": base.CHARGEBACK,
}


def sign(body: bytes, *, timestamp: int, secret: bytes | None = None) -> str:
    secret = secret if secret is not None else conf.sandbox_secret()
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def card_fingerprint(card_number: str) -> str:
    """What the sandbox processor calls a card: a stable id derived from its number (like Stripe's fingerprint)."""
    digits = "".join(ch for ch in card_number if ch.isdigit())
    return hashlib.sha256(b"sandbox-card:" + digits.encode()).hexdigest()[:16] if digits else ""


def build_postback(
    purchase: Purchase, event_type: str, *, now: int | None = None, card_number: str = ""
) -> tuple[bytes, dict[str, str]]:
    """The exact bytes and headers the sandbox processor sends for `event_type` on `purchase` (paid with the test
    card `card_number`, when given: the postback then names the card by its fingerprint)."""
    if event_type not in TYPES:
        raise ValueError(f"unknown sandbox event {event_type!r}")
    created = int(now if now is not None else time.time())
    body = json.dumps(
        {
            "id": f"evt_{new_id().lower()}",
            "type": event_type,
            "created": created,
            "data": {
                "reference": purchase.id,
                "transaction_id": f"sbx_{purchase.id.lower()}",
                "amount": minor_to_decimal_string(purchase.price_minor, currency_exponent(purchase.currency)),
                "amount_minor": purchase.price_minor,
                "currency": purchase.currency,
                **({"card": {"fingerprint": card_fingerprint(card_number)}} if card_number else {}),
            },
        },
        separators=(",", ":"),
    ).encode()
    return body, {"Content-Type": "application/json", "Sandbox-Signature": sign(body, timestamp=created)}


class SandboxProvider:
    name = "sandbox"

    def checkout_start(self, purchase: Purchase, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        return f"/pay/sandbox/{purchase.id}", f"sbx_{purchase.id.lower()}"

    def postback_parse(self, request: base.PostbackRequest) -> base.PostbackEvent:
        header = request.headers.get(SIGNATURE_HEADER, "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        timestamp, given = parts.get("t", ""), parts.get("v1", "")
        if not timestamp.isdigit() or not given:
            raise ForgedPostback("missing or malformed Sandbox-Signature header")
        expected = sign(request.body, timestamp=int(timestamp)).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, given.lower()):
            raise ForgedPostback("signature does not match")
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            raise ReplayedPostback(f"signature timestamp {timestamp} is outside the {TOLERANCE_SECONDS}s window")
        try:
            payload: Any = strictjson.loads(request.body)
            data = payload["data"]
            kind = TYPES.get(payload["type"], base.IGNORED)
            return base.PostbackEvent(
                kind=kind,
                event_id=str(payload["id"])[:150],
                purchase_id=str(data["reference"]),
                provider_ref=str(data.get("transaction_id", "")),
                amount_minor=int(data["amount_minor"]),
                currency=str(data["currency"]),
                raw_type=str(payload["type"])[:40],
                card_fingerprint=str((data.get("card") or {}).get("fingerprint", ""))[:64],
            )
        except (ValueError, KeyError, TypeError, DuplicateJsonKey) as exc:
            raise MalformedPostback(f"unreadable sandbox payload: {exc}") from None

    def reply(self, *, ok: bool, status: int = 200, message: str = "", outcome: str = "") -> base.PostbackReply:
        # Any 2xx settles a delivery; the JSON body has room for our outcome too.
        body = {"ok": ok, "message": message, "outcome": outcome}
        return base.PostbackReply(
            status=status, body=json.dumps(body), content_type="application/json", outcome=outcome
        )

    def confirm(self, purchase: Purchase, event: base.PostbackEvent) -> base.PostbackEvent:
        return event
