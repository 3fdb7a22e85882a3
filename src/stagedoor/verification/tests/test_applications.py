"""Performer applications in `verification`: identity claims checked before anything is stored, encrypted at rest,
decided by compliance on documents (approve / reject with reason / more information), through the API and pages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.verification import services
from stagedoor.verification.models import Document, PerformerApplication, PerformerStanding, Verification
from stagedoor.verification.tests.conftest import drawn_image
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db

ADA = {"stage_name": "Nova Star", "legal_name": "Ada  Example", "date_of_birth": "1994-03-02", "country": "de"}


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _counts() -> tuple[int, int, int]:
    return PerformerApplication.objects.count(), Verification.objects.count(), AuditEntry.objects.count()


def _years_ago(years: int, days: int = 0) -> str:
    today = timezone.now().date()
    return (date(today.year - years, today.month, min(today.day, 28)) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        (_years_ago(17, days=1), "You must be at least 18 years old."),  # 18 tomorrow-ish: still 17
        ((timezone.now().date() + timedelta(days=3)).isoformat(), "Your date of birth cannot be in the future."),
        ("2001-02-30", "Enter your date of birth as YYYY-MM-DD."),
    ],
)
def test_a_date_of_birth_under_18_or_in_the_future_is_refused_and_nothing_is_stored(
    make_user: Any, dob: str, message: str
) -> None:
    client = client_for(make_user("viewer"))
    before = _counts()
    response = post(client, "/api/v1/performer-applications", {**ADA, "date_of_birth": dob, "method": "manual"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "verification.date_of_birth_refused",
        "message": message,
        "extra": {"fields": {"date_of_birth": [message]}},
    }
    assert _counts() == before


def test_every_bad_field_is_named_and_nothing_is_stored(make_user: Any) -> None:
    client = client_for(make_user("viewer"))
    response = post(
        client,
        "/api/v1/performer-applications",
        {"stage_name": "N", "legal_name": "X", "date_of_birth": "1990-01-01", "country": "1X", "method": "manual"},
    )
    assert response.status_code == 422
    assert set(response.json()["extra"]["fields"]) == {"stage_name", "legal_name", "country"}
    unknown = post(client, "/api/v1/performer-applications", {**ADA, "method": "pigeon"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "verification.method_unavailable"
    assert unknown.json()["extra"]["available"] == ["manual"]  # no vendor configured here
    assert _counts() == (0, 0, 0)


def test_identity_is_encrypted_at_rest(make_user: Any) -> None:
    viewer = make_user("viewer")
    application = services.performer_apply(user=viewer, method="manual", **ADA)
    assert (application.legal_name, application.date_of_birth, application.country) == (
        "Ada Example",
        "1994-03-02",
        "DE",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_name, date_of_birth, country FROM verification_performerapplication WHERE id = %s",
            [application.pk],
        )
        stored = cursor.fetchone()
        cursor.execute("SELECT legal_name FROM verification_verification WHERE id = %s", [application.verification_id])
        stored_v = cursor.fetchone()
    for value in (*stored, *stored_v):
        assert value.startswith("v1.") and "Ada" not in value and "1994" not in value and value != "DE"


def _manual_application(make_user: Any, login: str, stage: str) -> tuple[User, PerformerApplication]:
    person = make_user("viewer", login=login)
    application = services.performer_apply(user=person, method="manual", **{**ADA, "stage_name": stage})
    assert application.verification is not None
    for kind in ("id_front", "selfie"):
        services.document_add(user=person, verification_id=application.verification.pk, kind=kind, data=drawn_image())
    services.verification_submit(user=person, verification_id=application.verification.pk)
    return person, application


def test_the_api_flow_apply_upload_decide(make_user: Any) -> None:
    viewer = make_user("viewer", login="hopeful")
    compliance = make_user("compliance")
    vc, cc = client_for(viewer), client_for(compliance)
    created = post(vc, "/api/v1/performer-applications", {**ADA, "method": "manual"})
    assert created.status_code == 201
    body = created.json()
    assert (body["stage_name"], body["status"], body["verification"]["method"], body["verification"]["status"]) == (
        "Nova Star",
        "pending",
        "manual",
        "started",
    )
    assert body["next_step"].startswith("Upload the front (and back) of your ID document and a selfie")
    dup = post(vc, "/api/v1/performer-applications", {**ADA, "method": "manual"})
    assert dup.status_code == 409 and dup.json()["code"] == "performer.application_pending"

    vid = body["verification"]["id"]
    early = vc.post(f"/api/v1/me/verifications/{vid}/submit")
    assert early.status_code == 409 and early.json()["code"] == "verification.documents_missing"
    not_ready = post(cc, f"/api/v1/staff/performer-applications/{body['id']}/decision", {"decision": "approve"})
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "verification.not_ready"

    for kind in ("id_front", "selfie"):
        services.document_add(user=viewer, verification_id=vid, kind=kind, data=drawn_image())
    submitted = vc.post(f"/api/v1/me/verifications/{vid}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    queue = cc.get("/api/v1/staff/performer-applications").json()
    assert [a["id"] for a in queue] == [body["id"]]

    no_reason = post(cc, f"/api/v1/staff/performer-applications/{body['id']}/decision", {"decision": "reject"})
    assert no_reason.status_code == 422 and no_reason.json()["extra"]["fields"] == {
        "reason": ["Tell the applicant why, and what to do next."]
    }
    decided = post(
        cc,
        f"/api/v1/staff/performer-applications/{body['id']}/decision",
        {"decision": "approve", "document_expires_on": "2030-06-30"},
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    viewer.refresh_from_db()
    assert (viewer.role, viewer.display_name) == ("performer", "Nova Star")
    standing = PerformerStanding.objects.get(user=viewer)
    assert (standing.verification_id, standing.document_expires_on) == (vid, date(2030, 6, 30))
    again = post(
        cc, f"/api/v1/staff/performer-applications/{body['id']}/decision", {"decision": "reject", "reason": "x"}
    )
    assert again.status_code == 409 and again.json()["code"] == "performer.application_decided"
    entry = AuditEntry.objects.get(action="performer.application_approved")
    assert (entry.actor_id, entry.target_id, entry.data["application_id"]) == (compliance.pk, viewer.pk, body["id"])
    assert AuditEntry.objects.get(action="verification.approved").data["document_expires_on"] == "2030-06-30"
    assert list(
        OutboxEvent.objects.filter(topic="performer.application_decided").values_list("payload", flat=True)
    ) == [{"application_id": body["id"], "approved": True}]
    mine = vc.get("/api/v1/me/performer-application").json()
    assert (mine["status"], mine["next_step"]) == ("approved", "Approved: you are a performer.")


def test_more_information_then_a_new_attempt_then_rejection(make_user: Any) -> None:
    person, application = _manual_application(make_user, "quiet", "Quiet One")
    compliance = make_user("compliance")
    first = application.verification
    assert first is not None
    services.performer_application_decide(
        actor=compliance, application_id=application.pk, decision="more_info", reason="The selfie is blurred."
    )
    application.refresh_from_db()
    first.refresh_from_db()
    assert (application.status, first.status, first.reason) == (
        "pending",
        "resubmission_requested",
        "The selfie is blurred.",
    )
    step = services.application_next_step(application, first)
    assert step == {
        "state": "more_info",
        "text": "More information needed: The selfie is blurred.. Start a new check below.",
        "action": "restart",
    }
    restarted = services.performer_application_restart(user=person, method="manual")
    assert restarted.verification is not None and restarted.verification.pk != first.pk
    assert restarted.verification.legal_name == "Ada Example"  # the identity it already gave
    services.performer_application_decide(
        actor=compliance, application_id=application.pk, decision="reject", reason="No documents came."
    )
    application.refresh_from_db()
    person.refresh_from_db()
    assert (application.status, application.note, person.role) == ("rejected", "No documents came.", "viewer")
    assert Verification.objects.get(pk=restarted.verification.pk).status == "declined"


def test_legacy_applications_without_a_verification_are_still_decided(make_user: Any) -> None:
    """Rows moved from accounts have no verification: staff decide the application alone."""
    old = make_user("viewer", login="old_timer")
    application = PerformerApplication.objects.create(user=old, stage_name="Old Timer", country="FR")
    admin = make_user("admin")
    services.performer_application_decide(actor=admin, application_id=application.pk, decision="approve")
    old.refresh_from_db()
    assert old.role == "performer"
    assert not PerformerStanding.objects.filter(user=old).exists()  # still has to verify before going live


def test_the_apply_page_applies_and_shows_the_next_step(make_user: Any) -> None:
    viewer = make_user("viewer", login="page_user")
    client = client_for(viewer)
    page = client.get("/verify")
    assert page.status_code == 200 and 'data-testid="apply"' in page.content.decode()
    assert client.get("/account/apply").status_code == 302  # the old URL leads here
    bad = client.post("/verify/apply", {**ADA, "date_of_birth": _years_ago(16), "method": "manual"})
    assert bad.status_code == 400 and "You must be at least 18 years old." in bad.content.decode()
    assert PerformerApplication.objects.count() == 0
    made = client.post("/verify/apply", {**ADA, "method": "manual"})
    assert made.status_code == 302 and made["Location"] == "/verify"
    html = client.get("/verify").content.decode()
    assert 'data-state="documents"' in html and 'data-testid="documents-form"' in html
    verification = Verification.objects.get()
    upload = client.post(
        f"/verify/{verification.pk}/documents",
        {"id_front": _file("front.png", drawn_image()), "selfie": _file("selfie.png", drawn_image())},
    )
    assert upload.status_code == 302
    verification.refresh_from_db()
    assert verification.status == "submitted"
    assert sorted(Document.objects.values_list("kind", flat=True)) == ["id_front", "selfie"]
    assert 'data-state="review"' in client.get("/verify").content.decode()


def _file(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
