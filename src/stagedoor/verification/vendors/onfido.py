"""An Onfido-style vendor: an applicant and a workflow run (its hosted link), then a signed `check.completed`
webhook that only points at the check, so we fetch the check and its document report before deciding.

- create: `POST {url}/v3.6/applicants` `{"first_name", "last_name", "dob"}` → `{"id"}`; `POST {url}/v3.6/
  workflow_runs` `{"workflow_id", "applicant_id", "link": {"completed_redirect_url"}, "tags": [<our reference>]}`
  → `{"id", "status", "link": {"url"}}`; both with `Authorization: Token token=<api token>`. The session id we
  keep is the applicant id: every check names it.
- webhook: `X-SHA2-Signature: <hex HMAC-SHA256(webhook token, raw body)>`, body `{"payload": {"resource_type":
  "check", "action": "check.completed", "object": {"id", "status": "complete", "result": "clear" | "consider",
  "completed_at_iso8601", "href"}}}`;
- then `GET {url}/v3.6/checks/{id}` → `{"id", "applicant_id", "result", "status"}` and `GET {url}/v3.6/reports?
  check_id={id}` → `{"reports": [{"name": "document", "result", "properties": {"first_name", "last_name",
  "date_of_birth", "date_of_expiry", "document_type", "issuing_country"}}]}`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from stagedoor.core import strictjson
from stagedoor.core.errors import DuplicateJsonKey
from stagedoor.verification.conf import OnfidoConfig
from stagedoor.verification.vendors import base

API = "/v3.6"
RESULTS = {"clear": base.APPROVED, "consider": base.DECLINED}
transport: httpx.BaseTransport | None = None

ISO3_TO_ISO2 = {"GBR": "GB", "USA": "US", "DEU": "DE", "FRA": "FR", "NLD": "NL", "ESP": "ES", "ITA": "IT"}


def signature(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


class OnfidoVendor:
    name = "onfido"
    label = "Onfido"

    def __init__(self, config: OnfidoConfig) -> None:
        self.config = config

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.config.url,
            headers={"Authorization": f"Token token={self.config.api_token}", "Accept": "application/json"},
            timeout=10.0,
            transport=transport,
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            with self._client() as client:
                response = client.request(method, f"{API}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise base.VendorError(f"Onfido unreachable ({type(exc).__name__})") from None
        if response.status_code not in (200, 201):
            raise base.VendorError(f"Onfido answered {response.status_code} to {method} {path.split('?')[0]}")
        try:
            return response.json()
        except ValueError:
            raise base.VendorError("Onfido's answer is not JSON") from None

    def session_create(self, request: base.SessionRequest) -> base.VendorSession:
        first, last = base.split_name(request.person.legal_name)
        applicant_body: dict[str, Any] = {"first_name": first or "-", "last_name": last or "-"}
        if request.person.date_of_birth:
            applicant_body["dob"] = request.person.date_of_birth.isoformat()
        applicant = self._call("POST", "/applicants", json=applicant_body)
        run = self._call(
            "POST",
            "/workflow_runs",
            json={
                "workflow_id": self.config.workflow_id,
                "applicant_id": applicant.get("id"),
                "link": {"completed_redirect_url": request.return_url},
                "tags": [request.reference],
            },
        )
        try:
            return base.VendorSession(session_id=str(applicant["id"]), url=str(run["link"]["url"]))
        except (KeyError, TypeError):
            raise base.VendorError("Onfido's answer has no applicant id or link") from None

    def webhook_parse(self, request: base.WebhookRequest) -> base.VendorDecision:
        given = request.headers.get("x-sha2-signature", "").strip().lower()
        if not given or not hmac.compare_digest(given, signature(self.config.webhook_token, request.body)):
            raise base.ForgedWebhook("X-SHA2-Signature does not match")
        try:
            payload: Any = strictjson.loads(request.body)["payload"]
            action = str(payload["action"])
            obj = payload["object"]
            check_id = str(obj["id"])
        except (ValueError, KeyError, TypeError, DuplicateJsonKey) as exc:
            raise base.MalformedWebhook(f"unreadable webhook: {exc}") from None
        completed = str(obj.get("completed_at_iso8601") or "")
        event_id = f"{check_id}:{action}:{completed}"[:200]
        if payload.get("resource_type") != "check" or action != "check.completed":
            return base.VendorDecision(outcome=base.IGNORED, event_id=event_id, session_id="")
        check = self._call("GET", f"/checks/{check_id}")  # the webhook only says "look"
        applicant_id = str(check.get("applicant_id") or "")
        if not applicant_id:
            raise base.MalformedWebhook("the check names no applicant")
        reports = self._call("GET", f"/reports?check_id={check_id}").get("reports") or []
        document: dict[str, Any] = next((r for r in reports if r.get("name") == "document"), {})
        props = document.get("properties") or {}
        name = " ".join(str(p) for p in (props.get("first_name"), props.get("last_name")) if p)
        issuing = str(props.get("issuing_country") or "").upper()
        return base.VendorDecision(
            outcome=RESULTS.get(str(check.get("result") or obj.get("result")), base.IGNORED),
            event_id=event_id,
            session_id=applicant_id,
            decided_at=base.parse_datetime(completed),
            reason="" if check.get("result") == "clear" else f"Onfido result: {check.get('result')}",
            person=base.Person(legal_name=name, date_of_birth=base.parse_date(props.get("date_of_birth"))),
            document_type=str(props.get("document_type") or "")[:30],
            document_country=ISO3_TO_ISO2.get(issuing, issuing[:2]),
            document_expires_on=base.parse_date(props.get("date_of_expiry")),
        )
