"""The privacy API: the person's requests, cancel (owner or staff only), staff requests and legal holds (bad input
changes nothing), the retention preview."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.core.models import AuditEntry
from stagedoor.privacy.models import LegalHold, PrivacyRequest

pytestmark = pytest.mark.django_db


def test_a_person_asks_for_export_and_erasure_and_cancels(
    make_user: Any, api_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    viewer = make_user("viewer")
    client = api_client(viewer)
    with django_capture_on_commit_callbacks(execute=True):
        export = client.post("/api/v1/privacy/export", content_type="application/json")
    assert export.status_code == 202
    assert export.json()["kind"] == "export"
    assert export.json()["status"] == "running"  # the job runs after commit
    assert PrivacyRequest.objects.get(pk=export.json()["id"]).status == "done"
    erasure = client.post("/api/v1/privacy/erasure", content_type="application/json")
    assert erasure.status_code == 202
    body = erasure.json()
    assert (body["kind"], body["status"]) == ("erasure", "pending")
    listed = client.get("/api/v1/privacy/requests").json()
    assert {r["kind"] for r in listed} == {"export", "erasure"}
    cancelled = client.post(f"/api/v1/privacy/requests/{body['id']}/cancel", content_type="application/json")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_another_person_cannot_cancel_or_see(make_user: Any, api_client: Any) -> None:
    owner, other = make_user("viewer"), make_user("viewer")
    req_id = api_client(owner).post("/api/v1/privacy/erasure", content_type="application/json").json()["id"]
    response = api_client(other).post(f"/api/v1/privacy/requests/{req_id}/cancel", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    assert PrivacyRequest.objects.get(pk=req_id).status == "pending"


def test_staff_request_for_unknown_account_changes_nothing(make_user: Any, api_client: Any) -> None:
    client = api_client(make_user("compliance"))
    response = client.post(
        "/api/v1/privacy/staff/requests",
        {"user": "nobody_here", "kind": "export", "verification_note": "replied from the account address"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "privacy.unknown_user"
    assert PrivacyRequest.objects.count() == 0


def test_staff_queue_nearest_deadline_first(make_user: Any, api_client: Any) -> None:
    from datetime import timedelta

    a, b = make_user("viewer"), make_user("viewer")
    first = api_client(a).post("/api/v1/privacy/erasure", content_type="application/json").json()["id"]
    second = api_client(b).post("/api/v1/privacy/erasure", content_type="application/json").json()["id"]
    PrivacyRequest.objects.filter(pk=second).update(
        due_at=PrivacyRequest.objects.get(pk=first).due_at - timedelta(days=3)
    )
    queue = api_client(make_user("admin")).get("/api/v1/privacy/staff/requests").json()
    assert [r["id"] for r in queue] == [second, first]


def test_legal_holds_placed_and_released_with_audit(make_user: Any, api_client: Any) -> None:
    subject = make_user("viewer", login="held_person")
    compliance = make_user("compliance")
    client = api_client(compliance)
    bad = client.post("/api/v1/privacy/holds", {"reason": "no subject named"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "privacy.invalid_hold"
    assert LegalHold.objects.count() == 0
    placed = client.post(
        "/api/v1/privacy/holds",
        {"user": "held_person", "reason": "regulator inquiry 7", "expires_at": "2099-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert placed.status_code == 201
    hold = placed.json()
    assert (hold["user_id"], hold["reason"]) == (str(subject.pk), "regulator inquiry 7")
    assert [h["id"] for h in client.get("/api/v1/privacy/holds").json()] == [hold["id"]]
    released = client.post(
        f"/api/v1/privacy/holds/{hold['id']}/release", {"reason": "inquiry closed"}, content_type="application/json"
    )
    assert released.status_code == 200 and released.json()["released_at"] is not None
    again = client.post(
        f"/api/v1/privacy/holds/{hold['id']}/release", {"reason": "inquiry closed"}, content_type="application/json"
    )
    assert again.status_code == 409 and again.json()["code"] == "privacy.hold_released"
    actions = list(AuditEntry.objects.filter(target_id=hold["id"]).values_list("action", "actor_id"))
    assert actions == [("privacy.hold_placed", str(compliance.pk)), ("privacy.hold_released", str(compliance.pk))]


def test_retention_preview(make_user: Any, api_client: Any) -> None:
    response = api_client(make_user("compliance")).get("/api/v1/privacy/retention")
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert {line["name"] for line in body["lines"]} >= {"chat.messages", "chat.ip", "accounts.sessions"}
