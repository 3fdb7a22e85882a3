"""A Veriff-style vendor: sessions through the station API, the decision by signed webhook.

- create: `POST {url}/v1/sessions` with `X-AUTH-CLIENT: <api key>` and `X-HMAC-SIGNATURE: <hex HMAC-SHA256(shared
  secret, body)>`, body `{"verification": {"callback": <return url>, "person": {"firstName", "lastName",
  "dateOfBirth"}, "vendorData": <our reference>}}`; the answer is `{"status": "success", "verification": {"id",
  "url", "vendorData", "status": "created", …}}` and `url` is the hosted verification page;
- decision webhook (its URL is set in the vendor's dashboard): `X-HMAC-SIGNATURE` over the raw body, body
  `{"status": "success", "verification": {"id", "attemptId", "status": "approved" | "declined" |
  "resubmission_requested" | …, "code", "reason", "person": {"firstName", "lastName", "dateOfBirth"},
  "document": {"type", "country", "validUntil"}, "vendorData", "decisionTime"}}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from stagedoor.core import strictjson
from stagedoor.core.errors import DuplicateJsonKey
from stagedoor.verification.conf import VeriffConfig
from stagedoor.verification.vendors import base

STATUSES = {"approved": base.APPROVED, "declined": base.DECLINED, "resubmission_requested": base.RESUBMIT}
# Tests may route the client through an httpx transport; by default it is real HTTP.
transport: httpx.BaseTransport | None = None


def signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class VeriffVendor:
    name = "veriff"
    label = "Veriff"

    def __init__(self, config: VeriffConfig) -> None:
        self.config = config

    def session_create(self, request: base.SessionRequest) -> base.VendorSession:
        first, last = base.split_name(request.person.legal_name)
        person: dict[str, Any] = {"firstName": first, "lastName": last}
        if request.person.date_of_birth:
            person["dateOfBirth"] = request.person.date_of_birth.isoformat()
        body = json.dumps(
            {"verification": {"callback": request.return_url, "person": person, "vendorData": request.reference}}
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-AUTH-CLIENT": self.config.api_key,
            "X-HMAC-SIGNATURE": signature(self.config.secret, body),
        }
        try:
            with httpx.Client(base_url=self.config.url, timeout=10.0, transport=transport) as client:
                response = client.post("/v1/sessions", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise base.VendorError(f"Veriff unreachable ({type(exc).__name__})") from None
        if response.status_code not in (200, 201):
            raise base.VendorError(f"Veriff answered {response.status_code}")
        try:
            verification = response.json()["verification"]
            return base.VendorSession(session_id=str(verification["id"]), url=str(verification["url"]))
        except (ValueError, KeyError, TypeError):
            raise base.VendorError("Veriff's answer has no session id or url") from None

    def webhook_parse(self, request: base.WebhookRequest) -> base.VendorDecision:
        given = request.headers.get("x-hmac-signature", "").strip().lower()
        if not given or not hmac.compare_digest(given, signature(self.config.secret, request.body)):
            raise base.ForgedWebhook("X-HMAC-SIGNATURE does not match")
        try:
            payload: Any = strictjson.loads(request.body)
            verification = payload["verification"]
            session_id = str(verification["id"])
            status = str(verification["status"])
            person = verification.get("person") or {}
            document = verification.get("document") or {}
        except (ValueError, KeyError, TypeError, DuplicateJsonKey) as exc:
            raise base.MalformedWebhook(f"unreadable decision: {exc}") from None
        decided_at = base.parse_datetime(verification.get("decisionTime"))
        name = " ".join(str(p) for p in (person.get("firstName"), person.get("lastName")) if p)
        attempt = str(verification.get("attemptId") or "")
        event_id = f"{session_id}:{attempt or status}:{verification.get('decisionTime') or ''}"
        return base.VendorDecision(
            outcome=STATUSES.get(status, base.IGNORED),
            event_id=event_id[:200],
            session_id=session_id,
            reference=str(verification.get("vendorData") or ""),
            decided_at=decided_at,
            reason=str(verification.get("reason") or "")[:300],
            person=base.Person(legal_name=name, date_of_birth=base.parse_date(person.get("dateOfBirth"))),
            document_type=str(document.get("type") or "")[:30],
            document_country=str(document.get("country") or "")[:2].upper(),
            document_expires_on=base.parse_date(document.get("validUntil")),
        )
