"""Staff console sections of verification: applications (moved from accounts) with identity reviews, the person
page's verification box, re-verification requests."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.accounts.roles import Role
from stagedoor.core.models import AuditEntry
from stagedoor.verification import services
from stagedoor.verification.models import PerformerApplication, ReverificationRequest
from stagedoor.verification.tests.conftest import drawn_image
from stagedoor.web.tests.console_helpers import client_for, staff

pytestmark = pytest.mark.django_db

IDENTITY = {"legal_name": "Invented Person", "date_of_birth": "1990-10-10", "country": "DE", "method": "manual"}


def _audit(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _submitted(make_user: Any, login: str, stage: str) -> PerformerApplication:
    person = make_user("viewer", login=login)
    application = services.performer_apply(user=person, stage_name=stage, **IDENTITY)
    assert application.verification is not None
    for kind in ("id_front", "selfie"):
        services.document_add(user=person, verification_id=application.verification.pk, kind=kind, data=drawn_image())
    services.verification_submit(user=person, verification_id=application.verification.pk)
    return application


def test_approve_reject_and_ask_for_more(make_user: Any) -> None:
    first = _submitted(make_user, "hopeful", "Nova Bright")
    second = _submitted(make_user, "other", "Quiet One")
    third = _submitted(make_user, "third", "Third Try")

    _, finance = staff(make_user, "finance")  # no PERFORMER_REVIEW
    assert finance.post(f"/staff/applications/{first.pk}/decide", {"decision": "approve"}).status_code == 403
    first.refresh_from_db()
    assert first.status == PerformerApplication.Status.PENDING

    reviewer, client = staff(make_user, "compliance")
    listing = client.get("/staff/applications/")
    assert [a.stage_name for a in listing.context["applications"]] == ["Nova Bright", "Quiet One", "Third Try"]
    assert 'data-testid="blurb-applications">3 pending<' in client.get("/staff/").content.decode()

    response = client.post(
        f"/staff/applications/{first.pk}/decide",
        {"decision": "approve", "reason": "", "document_expires_on": "2031-01-31"},
        follow=True,
    )
    assert _messages(response) == ["Nova Bright (hopeful) approved: they are a performer now."]
    first.refresh_from_db()
    hopeful = first.user
    hopeful.refresh_from_db()
    assert (first.status, first.decided_by_id) == ("approved", reviewer.pk)
    assert (hopeful.role, hopeful.display_name) == (Role.PERFORMER, "Nova Bright")
    [entry] = _audit("performer.application_approved")
    assert (entry.actor_id, entry.target_id) == (reviewer.pk, hopeful.pk)
    assert entry.data == {"application_id": first.pk, "user_id": hopeful.pk, "note": ""}

    # deciding again (a double submit) changes nothing
    response = client.post(f"/staff/applications/{first.pk}/decide", {"decision": "reject", "reason": "x"}, follow=True)
    assert _messages(response) == ["This application was already decided."]
    assert _audit("performer.application_rejected") == []

    response = client.post(f"/staff/applications/{second.pk}/decide", {"decision": "reject"}, follow=True)
    assert _messages(response) == ["Tell the applicant why, and what to do next."]
    response = client.post(
        f"/staff/applications/{second.pk}/decide", {"decision": "reject", "reason": "Not an adult venue."}, follow=True
    )
    assert _messages(response) == ["Quiet One (other) rejected."]
    second.refresh_from_db()
    assert (second.status, second.note, second.user.role) == ("rejected", "Not an adult venue.", Role.VIEWER)

    response = client.post(
        f"/staff/applications/{third.pk}/decide",
        {"decision": "more_info", "reason": "Back of the ID, please."},
        follow=True,
    )
    assert _messages(response) == ["Third Try (third) asked for more information."]
    third.refresh_from_db()
    assert third.status == "pending" and third.verification is not None
    assert third.verification.status == "resubmission_requested"
    response = client.post(f"/staff/applications/{third.pk}/decide", {"decision": "maybe"}, follow=True)
    assert _messages(response) == ["Choose approve, reject or more information; a reason has at most 2,000 characters."]
    assert [a.stage_name for a in client.get("/staff/applications/?status=all").context["applications"]] == [
        "Nova Bright",
        "Quiet One",
        "Third Try",
    ]


def test_the_person_page_shows_status_only_and_reviewers_ask_to_verify_again(make_user: Any) -> None:
    nova = make_user("performer", login="nova_panel")
    _, support = staff(make_user, "support_l1")
    page = support.get(f"/staff/users/{nova.pk}/")
    html = page.content.decode()
    assert 'data-testid="panel-verification"' in html and 'data-state="verified"' in html
    assert "Test Person nova_panel" not in html  # the legal name stays with compliance
    assert 'data-testid="reverify-form"' not in html
    assert support.post(f"/staff/applications/reverify/{nova.pk}", {"reason": "x", "days": 3}).status_code == 403

    reviewer, client = staff(make_user, "compliance")
    assert 'data-testid="reverify-form"' in client.get(f"/staff/users/{nova.pk}/").content.decode()
    response = client.post(
        f"/staff/applications/reverify/{nova.pk}", {"reason": "ID photo is ten years old", "days": 7}, follow=True
    )
    request = ReverificationRequest.objects.get()
    assert (request.user_id, request.source, request.reason) == (nova.pk, "staff", "ID photo is ten years old")
    assert _messages(response) == [f"nova_panel must verify again by {request.deadline:%Y-%m-%d}."]
    assert 'data-state="due"' in client.get(f"/staff/users/{nova.pk}/").content.decode()
    [entry] = _audit("verification.reverification_requested")
    assert entry.actor_id == reviewer.pk and entry.data["source"] == "staff"
    # the performer sees it on their verification page
    own = client_for(nova).get("/verify").content.decode()
    assert 'data-state="due"' in own and "ID photo is ten years old" in own


def test_the_coperformers_page(make_user: Any) -> None:
    nova = make_user("performer", login="nova_page")
    make_user("performer", login="luna_page", display_name="Luna Page")
    client = client_for(nova)
    page = client.get("/studio/coperformers")
    assert page.status_code == 200 and 'data-testid="release-text"' in page.content.decode()
    assert client_for(make_user("viewer")).get("/studio/coperformers").status_code == 403
    added = client.post("/studio/coperformers", {"action": "add_account", "login": "luna_page"})
    assert added.status_code == 302
    from stagedoor.verification.models import CoPerformer

    partner = CoPerformer.objects.get()
    assert partner.account is not None
    assert (partner.owner_id, partner.account.login, partner.stage_name, partner.declared) == (
        nova.pk,
        "luna_page",
        "Luna Page",
        False,
    )
    client.post("/studio/coperformers", {"action": "declare", "id": partner.pk})
    partner.refresh_from_db()
    assert partner.declared
    studio = client.get("/studio").content.decode()
    assert 'data-testid="studio-verification"' in studio and "On camera with you: Luna Page" in studio
    bad = client.post(
        "/studio/coperformers",
        {
            "action": "add_record",
            "stage_name": "Kid",
            "legal_name": "Kid Example",
            "date_of_birth": "2015-01-01",
            "country": "BE",
            "release_signed_name": "Kid Example",
            "release_accepted": "on",
            "method": "manual",
        },
    )
    assert bad.status_code == 400 and "You must be at least 18 years old." in bad.content.decode()
    assert CoPerformer.objects.count() == 1
    client.post("/studio/coperformers", {"action": "remove", "id": partner.pk})
    partner.refresh_from_db()
    assert partner.removed_at is not None and not partner.declared


def test_the_owner_cancels_a_recovery_from_their_verification_page(make_user: Any, vendors: Any) -> None:
    from datetime import date

    from stagedoor.verification.models import Recovery

    nova = make_user("performer", login="nova_owner", verified=False)
    services.identity_record_approved(
        user=nova, legal_name="Nova Owner", date_of_birth=date(1991, 1, 1), country="NL", actor="test"
    )
    services.recovery_start(login="nova_owner")
    client = client_for(nova)
    page = client.get("/verify").content.decode()
    assert 'data-testid="recovery-alert"' in page
    recovery = Recovery.objects.get()
    assert client_for(make_user("performer")).post(f"/verify/recovery/{recovery.pk}/cancel").status_code == 302
    assert Recovery.objects.get().status == "identity_check"  # not theirs: nothing happens
    assert client.post(f"/verify/recovery/{recovery.pk}/cancel").status_code == 302
    assert Recovery.objects.get().status == "cancelled"
    assert 'data-testid="recovery-alert"' not in client.get("/verify").content.decode()
