"""A Yoti-style age-estimation vendor for viewers: a session, a hosted page that estimates age from a selfie,
and a signed webhook with the verdict only (no image, no date of birth reaches us).

- create: `POST {url}/api/v1/sessions` with `X-Api-Key`, body `{"type": "OVER", "threshold": 18,
  "reference_id": <ours>, "callback": {"url": <return url>}}` → `{"session_id", "url", "status": "PENDING"}`;
- webhook: `X-Signature: <hex HMAC-SHA256(secret, raw body)>`, body `{"event_id", "session_id", "reference_id",
  "status": "COMPLETE", "result": "PASS" | "FAIL", "timestamp"}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from stagedoor.core import strictjson
from stagedoor.core.errors import DuplicateJsonKey
from stagedoor.verification.conf import AgeVendorConfig
from stagedoor.verification.vendors import base

transport: httpx.BaseTransport | None = None


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class AgeEstimationVendor:
    name = "agecheck"
    label = "Age estimation"

    def __init__(self, config: AgeVendorConfig) -> None:
        self.config = config

    def session_create(self, request: base.SessionRequest) -> base.VendorSession:
        body = json.dumps(
            {
                "type": "OVER",
                "threshold": 18,
                "reference_id": request.reference,
                "callback": {"url": request.return_url},
            }
        ).encode()
        headers = {"Content-Type": "application/json", "X-Api-Key": self.config.api_key}
        try:
            with httpx.Client(base_url=self.config.url, timeout=10.0, transport=transport) as client:
                response = client.post("/api/v1/sessions", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise base.VendorError(f"age-check service unreachable ({type(exc).__name__})") from None
        if response.status_code not in (200, 201):
            raise base.VendorError(f"age-check service answered {response.status_code}")
        try:
            data = response.json()
            return base.VendorSession(session_id=str(data["session_id"]), url=str(data["url"]))
        except (ValueError, KeyError, TypeError):
            raise base.VendorError("the age-check answer has no session id or url") from None

    def webhook_parse(self, request: base.WebhookRequest) -> base.VendorDecision:
        given = request.headers.get("x-signature", "").strip().lower()
        if not given or not hmac.compare_digest(given, signature(self.config.secret, request.body)):
            raise base.ForgedWebhook("X-Signature does not match")
        try:
            payload: Any = strictjson.loads(request.body)
            event_id = str(payload["event_id"])
            session_id = str(payload["session_id"])
            status = str(payload["status"])
            result = str(payload.get("result") or "")
        except (ValueError, KeyError, TypeError, DuplicateJsonKey) as exc:
            raise base.MalformedWebhook(f"unreadable webhook: {exc}") from None
        if status != "COMPLETE":
            return base.VendorDecision(outcome=base.IGNORED, event_id=event_id[:200], session_id=session_id)
        passed = result == "PASS"
        return base.VendorDecision(
            outcome=base.APPROVED if passed else base.DECLINED,
            event_id=event_id[:200],
            session_id=session_id,
            reference=str(payload.get("reference_id") or ""),
            decided_at=base.parse_datetime(payload.get("timestamp")),
            age_over_18=passed,
        )
