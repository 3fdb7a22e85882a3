"""The two identity vendors through a fake of each at its HTTP boundary: sessions, hosted pages, signed decision
webhooks; forged, replayed, out-of-order and unknown webhooks; an outage that keeps the application with a retry."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.test import Client

from stagedoor.core.models import AuditEntry
from stagedoor.verification.models import PerformerApplication, PerformerStanding, Verification, WebhookEvent
from stagedoor.verification.tests.fake_vendors import FakeVendors, deliver
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db

ADA = {"stage_name": "Nova Star", "legal_name": "Ada Example", "date_of_birth": "1994-03-02", "country": "NL"}


def apply(client: Client, method: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/performer-applications", data=json.dumps({**ADA, "method": method}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def _outcomes() -> list[tuple[str, str]]:
    return list(WebhookEvent.objects.order_by("received_at", "id").values_list("vendor", "outcome"))


@pytest.mark.parametrize("vendor", ["veriff", "onfido"])
def test_apply_hosted_page_signed_webhook_approved(vendors: FakeVendors, make_user: Any, vendor: str) -> None:
    viewer = make_user("viewer", login="vendor_fan")
    client = client_for(viewer)
    body = apply(client, vendor)
    verification = body["verification"]
    assert verification["status"] == "started" and verification["vendor_error"] == ""
    assert verification["vendor_url"].startswith(vendors.url + ("/v/" if vendor == "veriff" else "/wr/"))
    # the hosted page is there, and the person decides on it; the vendor then signs and sends the webhook
    page = httpx.get(verification["vendor_url"])
    assert page.status_code == 200 and 'data-testid="vendor-approve"' in page.text
    session = vendors.session_for(verification["id"]) if vendor == "veriff" else _onfido_session(vendors)
    delivery = vendors.decide(session.id, "approved")
    answer = deliver(Client(), delivery)
    assert answer.status_code == 200 and answer.json()["outcome"] == "applied"
    viewer.refresh_from_db()
    stored = Verification.objects.get(pk=verification["id"])
    assert (viewer.role, viewer.display_name) == ("performer", "Nova Star")
    assert (stored.status, stored.decided_by_label, stored.vendor_legal_name, stored.vendor_date_of_birth) == (
        "approved",
        f"vendor:{vendor}",
        "Ada Example",
        "1994-03-02",
    )
    assert str(stored.document_expires_on) == "2031-05-01"
    assert PerformerApplication.objects.get().status == "approved"
    assert PerformerStanding.objects.get(user=viewer).verification_id == stored.pk
    assert AuditEntry.objects.filter(action="verification.approved", actor_label=f"vendor:{vendor}").count() == 1
    assert _outcomes() == [(vendor, "applied")]
    if vendor == "onfido":  # the webhook only points at the check: we fetched it and its report
        check_id = json.loads(delivery.body)["payload"]["object"]["id"]
        assert [c for c in vendors.calls if c[0] == "GET" and "/v3.6/" in c[1]] == [
            ("GET", f"/v3.6/checks/{check_id}"),
            ("GET", f"/v3.6/reports?check_id={check_id}"),
        ]


def _onfido_session(vendors: FakeVendors) -> Any:
    return next(s for s in vendors.sessions.values() if s.vendor == "onfido")


def test_forged_replayed_out_of_order_unknown_and_someone_elses(vendors: FakeVendors, make_user: Any) -> None:
    viewer = make_user("viewer", login="careful")
    body = apply(client_for(viewer), "veriff")
    vid = body["verification"]["id"]
    session = vendors.session_for(vid)
    anonymous = Client()
    now = datetime.now(UTC)

    forged = vendors.decide(session.id, "approved", secret="not-the-shared-secret")
    response = deliver(anonymous, forged)
    assert response.status_code == 401 and response.json()["code"] == "verification.webhook_forged"
    assert Verification.objects.get(pk=vid).status == "started"

    unknown = vendors.decide(session.id, "approved")
    unknown.body = unknown.body.replace(session.id.encode(), b"00000000-0000-0000-0000-000000000000")
    from stagedoor.verification.tests.fake_vendors import VERIFF_SECRET, sign

    unknown.headers["X-HMAC-SIGNATURE"] = sign(VERIFF_SECRET, unknown.body)
    response = deliver(anonymous, unknown)
    assert response.status_code == 404 and response.json()["code"] == "verification.webhook_unknown_session"

    other = make_user("viewer", login="other_one")
    other_vid = apply(client_for(other), "veriff")["verification"]["id"]
    someone_elses = vendors.decide(session.id, "approved", reference=other_vid)
    response = deliver(anonymous, someone_elses)
    assert response.status_code == 400 and response.json()["code"] == "verification.webhook_mismatch"

    # a resubmission request decided at `now`, then an approval the vendor made earlier arrives late
    newer = vendors.decide(session.id, "resubmission_requested", decided_at=now)
    assert deliver(anonymous, newer).json()["outcome"] == "applied"
    older = vendors.decide(session.id, "approved", decided_at=now - timedelta(minutes=5))
    response = deliver(anonymous, older)
    assert response.status_code == 200 and response.json() == {
        "outcome": "stale",
        "detail": "older than the decision recorded",
    }
    assert Verification.objects.get(pk=vid).status == "resubmission_requested"

    replay = deliver(anonymous, newer)
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
    viewer.refresh_from_db()
    assert viewer.role == "viewer" and PerformerApplication.objects.get(user=viewer).status == "pending"
    assert _outcomes() == [
        ("veriff", "forged"),
        ("veriff", "unknown_session"),
        ("veriff", "mismatch"),
        ("veriff", "applied"),
        ("veriff", "stale"),
        ("veriff", "duplicate"),
    ]
    assert AuditEntry.objects.filter(action__startswith="verification.").values_list("action", flat=True).count() == 1


def test_a_document_under_18_or_for_someone_else_is_not_approved(vendors: FakeVendors, make_user: Any) -> None:
    minor_doc = make_user("viewer", login="doc_minor")
    vid = apply(client_for(minor_doc), "veriff")["verification"]["id"]
    session = vendors.session_for(vid)
    young = (datetime.now(UTC).date().replace(year=datetime.now(UTC).year - 16)).isoformat()
    deliver(Client(), vendors.decide(session.id, "approved", person={**session.person, "dateOfBirth": young}))
    stored = Verification.objects.get(pk=vid)
    assert (stored.status, stored.reason) == ("declined", "The date of birth on the document is under 18.")
    minor_doc.refresh_from_db()
    assert minor_doc.role == "viewer" and PerformerApplication.objects.get(user=minor_doc).status == "rejected"

    swapped = make_user("viewer", login="doc_swap")
    vid = apply(client_for(swapped), "veriff")["verification"]["id"]
    session = vendors.session_for(vid)
    other_person = {"firstName": "Someone", "lastName": "Else", "dateOfBirth": "1990-01-01"}
    deliver(Client(), vendors.decide(session.id, "approved", person=other_person))
    stored = Verification.objects.get(pk=vid)
    assert (stored.status, stored.reason) == (
        "resubmission_requested",
        "The name or date of birth on the document does not match what you entered.",
    )


def test_a_vendor_outage_keeps_the_application_pending_with_a_reason_and_a_retry(
    vendors: FakeVendors, make_user: Any
) -> None:
    viewer = make_user("viewer", login="patient")
    client = client_for(viewer)
    vendors.down = True
    body = apply(client, "veriff")
    assert body["status"] == "pending"
    assert body["verification"]["vendor_error"] == "Veriff answered 503" and body["verification"]["vendor_url"] == ""
    assert body["next_step"].startswith("We could not reach Veriff (Veriff answered 503). Your application is kept")
    page = client.get("/verify").content.decode()
    assert 'data-state="vendor_error"' in page and 'data-testid="vendor-retry"' in page

    # connection refused: the vendor is gone altogether
    vendors.close()
    vid = body["verification"]["id"]
    retried = client.post(f"/api/v1/me/verifications/{vid}/retry")
    assert retried.status_code == 200 and retried.json()["vendor_error"] == "Veriff unreachable (ConnectError)"
    assert Verification.objects.get(pk=vid).vendor_attempts == 2

    back = FakeVendors()  # the vendor is back (on a new port: the operator's URL points at it)
    try:
        from django.conf import settings

        settings.STAGEDOOR_VERIFICATION_VERIFF_URL = back.url
        retried = client.post(f"/api/v1/me/verifications/{vid}/retry")
        assert retried.status_code == 200
        assert retried.json()["vendor_error"] == "" and retried.json()["vendor_url"].startswith(back.url + "/v/")
        stored = Verification.objects.get(pk=vid)
        assert (stored.vendor_attempts, stored.status, PerformerApplication.objects.get().status) == (
            3,
            "started",
            "pending",
        )
    finally:
        back.close()


def test_onfido_check_lookup_failing_is_a_502_the_vendor_retries(vendors: FakeVendors, make_user: Any) -> None:
    viewer = make_user("viewer", login="onfido_retry")
    apply(client_for(viewer), "onfido")
    delivery = vendors.decide(_onfido_session(vendors).id, "approved")
    vendors.down = True
    first = deliver(Client(), delivery)
    assert first.status_code == 502 and first.json()["code"] == "verification.webhook_vendor_error"
    assert Verification.objects.get().status == "started"
    vendors.down = False
    second = deliver(Client(), delivery)  # the vendor's retry of the same delivery
    assert second.status_code == 200 and second.json()["outcome"] == "applied"
    assert _outcomes() == [("onfido", "vendor_error"), ("onfido", "applied")]
