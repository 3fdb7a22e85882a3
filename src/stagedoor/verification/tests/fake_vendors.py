"""Three identity and age vendors faked at their HTTP boundary: one real HTTP server on loopback (a thread)
that speaks a Veriff-style station API, an Onfido-style API and a Yoti-style age-estimation API, serves each
vendor's hosted page (a plain approve/decline form), and sends the signed decision webhook to our endpoint.

Tests point the adapters at `FakeVendors.url` through the settings. The webhook goes to `webhook_url` over HTTP
(the browser tests: the live server) or, when that is None, into `outbox` for the test to deliver itself (the
Django test client shares the test's database transaction; a thread could not see it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

VERIFF_KEY = "veriff-test-key"
VERIFF_SECRET = "veriff-shared-secret-for-tests"
ONFIDO_TOKEN = "onfido-api-token-for-tests"
ONFIDO_WEBHOOK = "onfido-webhook-token-for-tests"
ONFIDO_WORKFLOW = "wf_identity_and_age"
AGE_KEY = "age-api-key-for-tests"
AGE_SECRET = "age-webhook-secret-for-tests"


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def use_fake_vendors(settings: Any, url: str, *, veriff: bool = True, onfido: bool = True, age: bool = True) -> None:
    """Point the verification settings at the fake (as an operator sets the environment)."""
    if veriff:
        settings.STAGEDOOR_VERIFICATION_VERIFF_URL = url
        settings.STAGEDOOR_VERIFICATION_VERIFF_API_KEY = VERIFF_KEY
        settings.STAGEDOOR_VERIFICATION_VERIFF_SECRET = VERIFF_SECRET
    if onfido:
        settings.STAGEDOOR_VERIFICATION_ONFIDO_URL = url
        settings.STAGEDOOR_VERIFICATION_ONFIDO_API_TOKEN = ONFIDO_TOKEN
        settings.STAGEDOOR_VERIFICATION_ONFIDO_WEBHOOK_TOKEN = ONFIDO_WEBHOOK
        settings.STAGEDOOR_VERIFICATION_ONFIDO_WORKFLOW_ID = ONFIDO_WORKFLOW
    if age:
        settings.STAGEDOOR_VERIFICATION_AGE_URL = url
        settings.STAGEDOOR_VERIFICATION_AGE_API_KEY = AGE_KEY
        settings.STAGEDOOR_VERIFICATION_AGE_SECRET = AGE_SECRET


@dataclass
class Session:
    vendor: str  # veriff | onfido | agecheck
    id: str
    reference: str
    return_url: str
    person: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""


@dataclass
class Delivery:
    vendor: str
    path: str  # our webhook path
    body: bytes
    headers: dict[str, str]
    status: int | None = None  # our answer, when delivered over HTTP


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>Test vendor: decide this check.</p>
<form method="post"><input type="hidden" name="session" value="{sid}">
<button name="decision" value="approved" data-testid="vendor-approve">Approve</button>
<button name="decision" value="declined" data-testid="vendor-decline">Decline</button>
</form></main></body></html>"""


class FakeVendors:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.checks: dict[str, dict[str, Any]] = {}  # onfido check id -> {applicant_id, result, completed}
        self.outbox: list[Delivery] = []
        self.delivered: list[Delivery] = []
        self.webhook_url: str | None = None  # e.g. live_server.url; None: queue in `outbox`
        self.down = False  # answer 503 to API calls (an outage)
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, status: int, payload: Any, content_type: str = "application/json") -> None:
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, url: str) -> None:
                self.send_response(303)
                self.send_header("Location", url)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                fake.calls.append(("GET", self.path))
                parsed = urlparse(self.path)
                parts = parsed.path.strip("/").split("/")
                if parsed.path == "/favicon.ico":  # browsers ask; a vendor's site has one
                    return self._send(200, b"", "image/x-icon")
                if parts[0] in ("v", "wr", "age") and len(parts) == 2:
                    session = fake._session_for_page(parts[0], parts[1])
                    if session is None:
                        return self._send(404, {"error": "no such session"})
                    title = {"v": "Veriff", "wr": "Onfido", "age": "Age estimation"}[parts[0]]
                    html = PAGE.format(title=title, sid=session.id).encode()
                    return self._send(200, html, "text/html; charset=utf-8")
                if parts[:2] == ["v3.6", "checks"] and len(parts) == 3:
                    if not fake._onfido_auth(self.headers):
                        return self._send(401, {"error": "unauthorized"})
                    if fake.down:
                        return self._send(503, {"error": "maintenance"})
                    check = fake.checks.get(parts[2])
                    if check is None:
                        return self._send(404, {"error": "no such check"})
                    return self._send(200, {"id": parts[2], "status": "complete", **check})
                if parts == ["v3.6", "reports"]:
                    check_id = parse_qs(parsed.query).get("check_id", [""])[0]
                    check = fake.checks.get(check_id)
                    if check is None:
                        return self._send(404, {"error": "no such check"})
                    session = fake.sessions[check["applicant_id"]]
                    props = {
                        "first_name": session.person.get("first_name", ""),
                        "last_name": session.person.get("last_name", ""),
                        "date_of_birth": session.person.get("dob", ""),
                        "date_of_expiry": check.get("expiry", "2031-05-01"),
                        "document_type": "passport",
                        "issuing_country": "NLD",
                    }
                    report = {"name": "document", "result": check["result"], "properties": props}
                    return self._send(200, {"reports": [report]})
                return self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                fake.calls.append(("POST", self.path))
                body = self._body()
                parts = urlparse(self.path).path.strip("/").split("/")
                if parts == ["v1", "sessions"]:
                    return self._veriff_create(body)
                if parts == ["v3.6", "applicants"]:
                    return self._onfido_applicant(body)
                if parts == ["v3.6", "workflow_runs"]:
                    return self._onfido_run(body)
                if parts == ["api", "v1", "sessions"]:
                    return self._age_create(body)
                if parts[0] in ("v", "wr", "age") and len(parts) == 2:
                    session = fake._session_for_page(parts[0], parts[1])
                    if session is None:
                        return self._send(404, {"error": "no such session"})
                    decision = parse_qs(body.decode()).get("decision", ["declined"])[0]
                    fake.decide(session.id, decision)
                    return self._redirect(session.return_url)
                return self._send(404, {"error": "not found"})

            def _veriff_create(self, body: bytes) -> None:
                if self.headers.get("X-AUTH-CLIENT") != VERIFF_KEY or not hmac.compare_digest(
                    self.headers.get("X-HMAC-SIGNATURE", ""), sign(VERIFF_SECRET, body)
                ):
                    return self._send(401, {"status": "fail", "code": 1102})
                if fake.down:
                    return self._send(503, {"status": "fail"})
                verification = json.loads(body)["verification"]
                sid = str(uuid.uuid4())
                person = verification.get("person") or {}
                fake.sessions[sid] = Session(
                    "veriff", sid, verification.get("vendorData", ""), verification["callback"], dict(person)
                )
                url = f"{fake.url}/v/{sid}"
                answer = {"id": sid, "url": url, "vendorData": verification.get("vendorData"), "status": "created"}
                return self._send(201, {"status": "success", "verification": answer})

            def _onfido_applicant(self, body: bytes) -> None:
                if not fake._onfido_auth(self.headers):
                    return self._send(401, {"error": {"type": "authorization_error"}})
                if fake.down:
                    return self._send(503, {"error": {"type": "service_unavailable"}})
                data = json.loads(body)
                aid = str(uuid.uuid4())
                fake.sessions[aid] = Session("onfido", aid, "", "", dict(data))
                return self._send(201, {"id": aid, **data})

            def _onfido_run(self, body: bytes) -> None:
                if not fake._onfido_auth(self.headers):
                    return self._send(401, {"error": {"type": "authorization_error"}})
                data = json.loads(body)
                session = fake.sessions.get(data.get("applicant_id", ""))
                if session is None or data.get("workflow_id") != ONFIDO_WORKFLOW:
                    return self._send(422, {"error": {"type": "validation_error"}})
                run = str(uuid.uuid4())
                session.run_id = run
                session.return_url = data["link"]["completed_redirect_url"]
                session.reference = (data.get("tags") or [""])[0]
                return self._send(201, {"id": run, "status": "awaiting_input", "link": {"url": f"{fake.url}/wr/{run}"}})

            def _age_create(self, body: bytes) -> None:
                if self.headers.get("X-Api-Key") != AGE_KEY:
                    return self._send(401, {"error": "unauthorized"})
                if fake.down:
                    return self._send(503, {"error": "maintenance"})
                data = json.loads(body)
                sid = str(uuid.uuid4())
                fake.sessions[sid] = Session("agecheck", sid, data.get("reference_id", ""), data["callback"]["url"])
                return self._send(201, {"session_id": sid, "url": f"{fake.url}/age/{sid}", "status": "PENDING"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def _onfido_auth(self, headers: Any) -> bool:
        return bool(headers.get("Authorization") == f"Token token={ONFIDO_TOKEN}")

    def _session_for_page(self, kind: str, key: str) -> Session | None:
        if kind == "wr":
            return next((s for s in self.sessions.values() if s.run_id == key), None)
        return self.sessions.get(key)

    def session_for(self, reference: str) -> Session:
        return next(s for s in self.sessions.values() if s.reference == reference)

    # --- decisions ---------------------------------------------------------------------------------------

    def decide(
        self,
        session_id: str,
        decision: str,
        *,
        decided_at: datetime | None = None,
        person: dict[str, Any] | None = None,
        reference: str | None = None,
        valid_until: str = "2031-05-01",
        secret: str | None = None,
    ) -> Delivery:
        """What the vendor sends when its page finishes: the signed webhook (delivered or queued)."""
        session = self.sessions[session_id]
        when = (decided_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
        if session.vendor == "veriff":
            who = person if person is not None else session.person
            body = json.dumps(
                {
                    "status": "success",
                    "verification": {
                        "id": session.id,
                        "attemptId": str(uuid.uuid4()),
                        "code": 9001 if decision == "approved" else 9102,
                        "status": decision,
                        "reason": None if decision == "approved" else "Document not readable",
                        "person": {
                            "firstName": who.get("firstName"),
                            "lastName": who.get("lastName"),
                            "dateOfBirth": who.get("dateOfBirth"),
                        },
                        "document": {"type": "PASSPORT", "country": "NL", "validUntil": valid_until},
                        "vendorData": session.reference if reference is None else reference,
                        "decisionTime": when,
                    },
                    "technicalData": {"ip": "203.0.113.9"},
                }
            ).encode()
            headers = {"Content-Type": "application/json", "X-AUTH-CLIENT": VERIFF_KEY}
            headers["X-HMAC-SIGNATURE"] = sign(secret or VERIFF_SECRET, body)
            path = "/api/v1/verification/webhooks/veriff"
        elif session.vendor == "onfido":
            check_id = str(uuid.uuid4())
            if person is not None:
                session.person.update(person)
            self.checks[check_id] = {
                "applicant_id": session.id,
                "result": "clear" if decision == "approved" else "consider",
                "expiry": valid_until,
            }
            body = json.dumps(
                {
                    "payload": {
                        "resource_type": "check",
                        "action": "check.completed",
                        "object": {
                            "id": check_id,
                            "status": "complete",
                            "result": self.checks[check_id]["result"],
                            "completed_at_iso8601": when,
                            "href": f"{self.url}/v3.6/checks/{check_id}",
                        },
                    }
                }
            ).encode()
            headers = {"Content-Type": "application/json", "X-SHA2-Signature": sign(secret or ONFIDO_WEBHOOK, body)}
            path = "/api/v1/verification/webhooks/onfido"
        else:
            body = json.dumps(
                {
                    "event_id": str(uuid.uuid4()),
                    "session_id": session.id,
                    "reference_id": session.reference if reference is None else reference,
                    "status": "COMPLETE",
                    "result": "PASS" if decision == "approved" else "FAIL",
                    "timestamp": when,
                }
            ).encode()
            headers = {"Content-Type": "application/json", "X-Signature": sign(secret or AGE_SECRET, body)}
            path = "/api/v1/verification/webhooks/agecheck"
        delivery = Delivery(session.vendor, path, body, headers)
        if self.webhook_url:
            response = httpx.post(self.webhook_url + path, content=body, headers=headers, timeout=10)
            delivery.status = response.status_code
            self.delivered.append(delivery)
        else:
            self.outbox.append(delivery)
        return delivery


def deliver(client: Any, delivery: Delivery) -> Any:
    """Post a queued webhook to our endpoint through the Django test client, as the vendor would."""
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in delivery.headers.items() if k != "Content-Type"}
    return client.post(delivery.path, data=delivery.body, content_type="application/json", **extra)
