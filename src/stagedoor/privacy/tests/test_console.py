"""The staff console: the request queue, a request entered after verifying an e-mail, legal holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stagedoor.core.models import AuditEntry
from stagedoor.privacy.models import LegalHold, PrivacyRequest
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _staff(make_user: Any, role: str) -> tuple[Any, Client]:
    user = make_user(role, mfa=True)
    return user, client_for(user)


def test_compliance_enters_a_verified_request_and_sees_it_in_the_queue(make_user: Any) -> None:
    subject = make_user("viewer", login="mailer_person")
    actor, client = _staff(make_user, "compliance")
    response = client.post(
        "/staff/privacy/new",
        {"user": "mailer_person", "kind": "erasure", "verification_note": "reply from the account address + last tip"},
    )
    assert response.status_code == 302
    req = PrivacyRequest.objects.get(user=subject)
    assert (req.kind, req.source, req.status, req.verified_by_id) == ("erasure", "email", "pending", actor.pk)
    assert AuditEntry.objects.filter(
        action="privacy.erasure_requested", target_id=req.pk, actor_id=str(actor.pk)
    ).exists()
    page = client.get("/staff/privacy/")
    assert page.status_code == 200
    assert b"mailer_person" in page.content
    detail = client.get(f"/staff/privacy/{req.pk}/")
    assert detail.status_code == 200 and b"reply from the account address" in detail.content
    person_page = client.get(f"/staff/users/{subject.pk}/").content.decode()
    assert 'data-testid="person-privacy-request" data-status="pending"' in person_page


def test_a_short_verification_note_is_refused(make_user: Any) -> None:
    make_user("viewer", login="mailer_two")
    _, client = _staff(make_user, "admin")
    client.post("/staff/privacy/new", {"user": "mailer_two", "kind": "export", "verification_note": "ok"})
    assert PrivacyRequest.objects.count() == 0


def test_holds_page_place_and_release(make_user: Any) -> None:
    make_user("viewer", login="hold_me")
    _, client = _staff(make_user, "compliance")
    client.post("/staff/legal-holds/place", {"user": "hold_me", "reason": "court order 12", "expires_on": "2099-05-01"})
    hold = LegalHold.objects.get()
    assert hold.expires_at is not None and hold.expires_at.year == 2099
    assert b"court order 12" in client.get("/staff/legal-holds/").content
    client.post(f"/staff/legal-holds/{hold.pk}/release", {"reason": "order lifted"})
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_reason == "order lifted"


def test_admin_cannot_place_holds(make_user: Any) -> None:
    make_user("viewer", login="hold_not")
    _, client = _staff(make_user, "admin")
    response = client.post("/staff/legal-holds/place", {"user": "hold_not", "reason": "trying it"})
    assert response.status_code in (302, 403)
    assert LegalHold.objects.count() == 0
