"""The gates verification registers: no going live or being paid without a verified identity that has not lapsed
(document expiry, the schedule, a staff or moderation request), and not with an unverified co-performer."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.gates import PAYEE, PUBLISH, GateContext, gate_checks, gate_refusal
from stagedoor.core.models import AuditEntry
from stagedoor.rooms.services import room_for_performer
from stagedoor.streaming.ingest import PublishRefused
from stagedoor.streaming.runtime import _authorize_sync
from stagedoor.streaming.services import stream_key_rotate
from stagedoor.verification import selectors, services
from stagedoor.verification.models import PerformerStanding, ReverificationRequest, Verification
from stagedoor.verification.testing import give_approved_identity
from stagedoor.verification.tests.conftest import drawn_image
from stagedoor.wallet import errors as wallet_errors
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.models import Tip
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_checks_are_registered_on_the_core_gates() -> None:
    assert gate_checks(PUBLISH)[:2] == ["verification.performer_verified", "verification.coperformers_verified"]
    assert "verification.payee_verified" in gate_checks(PAYEE)


def _publish(key: str) -> str:
    try:
        grant = _authorize_sync("live", key)
    except PublishRefused as exc:
        return f"refused: {exc.reason}"
    return f"live as {grant.label}"


def test_an_unverified_performer_cannot_go_live_and_the_studio_says_why(make_user: Any) -> None:
    nova = make_user("performer", login="nova_unverified", verified=False)
    key = stream_key_rotate(user=nova)
    outcome = _publish(key)
    assert outcome.startswith("refused") and "Verify your identity before going live" in outcome
    studio = client_for(nova).get("/studio").content.decode()
    assert 'data-code="verification.required"' in studio and 'href="/verify" data-testid="studio-fix"' in studio

    give_approved_identity(nova)
    assert _publish(key) == "live as nova_unverified"
    assert 'data-testid="studio-refusal"' not in client_for(nova).get("/studio").content.decode()


def test_documents_waiting_for_review_say_so(make_user: Any) -> None:
    nova = make_user("performer", login="nova_waiting", verified=False)
    verification = services.identity_verify_start(
        user=nova, legal_name="Nova Example", date_of_birth="1995-05-05", country="NL", method="manual"
    )
    for kind in ("id_front", "selfie"):
        services.document_add(user=nova, verification_id=verification.pk, kind=kind, data=drawn_image())
    services.verification_submit(user=nova, verification_id=verification.pk)
    refusal = gate_refusal(PUBLISH, GateContext(user=nova, room=room_for_performer(performer=nova)))
    assert refusal is not None and refusal.code == "verification.required"
    assert refusal.message == "Your identity verification is waiting for review; you can go live once it is approved."
    services.verification_review_decide(
        actor=make_user("compliance"), verification_id=verification.pk, decision="approve"
    )
    assert gate_refusal(PUBLISH, GateContext(user=nova, room=room_for_performer(performer=nova))) is None


def test_an_expiring_document_warns_then_stops_going_live(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_VERIFICATION_WARN_DAYS = 30
    settings.STAGEDOOR_VERIFICATION_REVERIFY_DAYS = 0  # only the document's expiry here
    nova = make_user("performer", login="nova_expiring", verified=False)
    give_approved_identity(nova, document_expires_on=timezone.now().date() + timedelta(days=10))
    key = stream_key_rotate(user=nova)
    standing = selectors.standing_of(nova.pk, now=timezone.now())
    assert (standing.state, standing.reason) == ("due", "your ID document expires")
    assert _publish(key) == "live as nova_expiring"  # warned, still allowed
    studio = client_for(nova).get("/studio").content.decode()
    assert 'data-testid="studio-due"' in studio

    PerformerStanding.objects.filter(user=nova).update(document_expires_on=timezone.now().date() - timedelta(days=1))
    outcome = _publish(key)
    assert outcome.startswith("refused") and "lapsed" in outcome and "your ID document expires" in outcome


def test_the_schedule_lapses_a_verification(make_user: Any, settings: Any) -> None:
    settings.STAGEDOOR_VERIFICATION_REVERIFY_DAYS = 365
    settings.STAGEDOOR_VERIFICATION_WARN_DAYS = 30
    nova = make_user("performer", login="nova_yearly", verified=False)
    give_approved_identity(nova)
    now = timezone.now()
    PerformerStanding.objects.filter(user=nova).update(verified_at=now - timedelta(days=340))
    assert selectors.standing_of(nova.pk, now=now).state == "due"
    PerformerStanding.objects.filter(user=nova).update(verified_at=now - timedelta(days=366))
    standing = selectors.standing_of(nova.pk, now=now)
    assert (standing.state, standing.reason) == ("lapsed", "it is time for the periodic re-verification")
    assert _publish(stream_key_rotate(user=nova)).startswith("refused")


def test_a_staff_request_is_due_at_once_lapses_at_its_deadline_and_a_new_approval_meets_it(
    make_user: Any, vendors: Any
) -> None:
    nova = make_user("performer", login="nova_requested")
    compliance = make_user("compliance")
    key = stream_key_rotate(user=nova)
    response = client_for(compliance).post(
        f"/api/v1/staff/verification/users/{nova.pk}/reverification",
        data={"reason": "Face does not match the stream"},
        content_type="application/json",
    )
    assert response.status_code == 201
    request = ReverificationRequest.objects.get()
    assert (request.source, request.requested_by_label) == ("staff", compliance.login)
    assert request.deadline.date() == (timezone.now() + timedelta(days=14)).date()
    standing = selectors.standing_of(nova.pk, now=timezone.now())
    assert (
        standing.state == "due" and standing.reason == "staff asked you to verify again: Face does not match the stream"
    )
    assert _publish(key) == "live as nova_requested"

    # a moderation case asks with a deadline that has passed by now
    services.reverification_request(
        user_id=nova.pk,
        source="moderation",
        reason="case 42",
        actor="moderation:case-42",
        deadline=timezone.now() + timedelta(seconds=1),
    )
    PerformerStanding.objects.filter(user=nova).update(request_deadline=timezone.now() - timedelta(seconds=1))
    assert _publish(key).startswith("refused")
    status = client_for(make_user("support_l1")).get(f"/api/v1/staff/verification/users/{nova.pk}").json()
    assert status["standing"]["state"] == "lapsed" and "legal_name" not in str(status)

    # verifying again through a vendor meets both requests
    verification = services.identity_verify_start(
        user=nova, legal_name="Nova Example", date_of_birth="1995-05-05", country="NL", method="veriff"
    )
    assert verification.purpose == "reverification" and verification.vendor_url
    from django.test import Client

    from stagedoor.verification.tests.fake_vendors import deliver

    deliver(Client(), vendors.decide(vendors.session_for(verification.pk).id, "approved"))
    assert _publish(key) == "live as nova_requested"
    assert ReverificationRequest.objects.filter(met_at__isnull=True).count() == 0
    assert selectors.standing_of(nova.pk, now=timezone.now()).state == "verified"


def test_an_unverified_performer_is_not_paid_and_nothing_moves(make_user: Any) -> None:
    viewer = make_user("viewer", login="generous")
    fund_wallet(viewer, 100)
    unverified = make_user("performer", login="not_yet", verified=False)
    with pytest.raises(wallet_errors.PayeeRefused) as caught:
        wallet_services.tip_send(sender=viewer, performer=unverified, amount=10, idempotency_key="tip-unverified-1")
    assert caught.value.extra == {"reason": "verification.payee_unverified"}
    assert Tip.objects.count() == 0
    from stagedoor.wallet import selectors as wallet_selectors

    assert wallet_selectors.wallet_balance(viewer) == 100
    give_approved_identity(unverified)
    tip = wallet_services.tip_send(sender=viewer, performer=unverified, amount=10, idempotency_key="tip-unverified-2")
    assert tip.amount == 10 and wallet_selectors.wallet_balance(viewer) == 90


def test_a_declared_unverified_coperformer_stops_the_stream(make_user: Any, vendors: Any) -> None:
    nova = make_user("performer", login="nova_duo")
    luna = make_user("performer", login="luna_duo")
    key = stream_key_rotate(user=nova)
    partner = services.coperformer_add_account(owner=nova, login="luna_duo")
    services.coperformer_declare(owner=nova, coperformer_id=partner.pk, declared=True)
    assert _publish(key) == "live as nova_duo"  # a verified performer account covers itself

    guest = services.coperformer_add_record(
        owner=nova,
        stage_name="Sol Guest",
        legal_name="Sol Example Guest",
        date_of_birth="1992-07-07",
        country="BE",
        release_signed_name="sol example guest",
        release_accepted=True,
        method="manual",
    )
    services.coperformer_declare(owner=nova, coperformer_id=guest.pk, declared=True)
    outcome = _publish(key)
    assert outcome.startswith("refused") and "(Sol Guest)" in outcome
    verification = Verification.objects.get(coperformer=guest)
    for kind in ("id_front", "selfie"):
        services.document_add(user=nova, verification_id=verification.pk, kind=kind, data=drawn_image())
    services.verification_submit(user=nova, verification_id=verification.pk)
    services.verification_review_decide(
        actor=make_user("compliance"), verification_id=verification.pk, decision="approve"
    )
    assert _publish(key) == "live as nova_duo"
    assert luna.role == "performer"
    assert AuditEntry.objects.filter(action="verification.coperformer_declared").count() == 2


def test_a_release_must_be_signed_with_the_legal_name(make_user: Any) -> None:
    nova = make_user("performer", login="nova_release")
    with pytest.raises(Exception) as caught:
        services.coperformer_add_record(
            owner=nova,
            stage_name="Sol",
            legal_name="Sol Example",
            date_of_birth="1992-07-07",
            country="BE",
            release_signed_name="Somebody Else",
            release_accepted=True,
            method="manual",
        )
    assert getattr(caught.value, "extra", {}) == {
        "fields": {
            "release_signed_name": ["The co-performer signs the release by typing their legal name and accepting it."]
        }
    }
    with pytest.raises(Exception, match="at least 18"):
        services.coperformer_add_record(
            owner=nova,
            stage_name="Kid",
            legal_name="Kid Example",
            date_of_birth=date(timezone.now().year - 15, 1, 1).isoformat(),
            country="BE",
            release_signed_name="Kid Example",
            release_accepted=True,
            method="manual",
        )
    assert not Verification.objects.filter(purpose="coperformer").exists()


def test_the_demo_performers_have_approved_invented_records_so_make_run_goes_live(make_user: Any) -> None:
    from django.core.management import call_command

    from stagedoor.accounts.models import User

    call_command("demo")
    call_command("demo")  # idempotent: one record each
    for login in ("demo_performer", "demo_performer2"):
        user = User.objects.get(login=login)
        assert selectors.standing_of(user.pk, now=timezone.now()).state == "verified"
        assert Verification.objects.filter(user=user, status="approved").count() == 1
        assert _publish(stream_key_rotate(user=user)) == f"live as {login}"
    entry = AuditEntry.objects.filter(action="verification.approved", actor_label="cli:demo").count()
    assert entry == 2
