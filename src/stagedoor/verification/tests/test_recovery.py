"""Account recovery with an identity check: the vendor check again, matched to the verified record; a cooling-off
period; the old address told at every step; then a new password and two-factor enrolled again. Support can start
it but sees no document or identity data."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from stagedoor.accounts.models import RecoveryCode, User
from stagedoor.core.models import AuditEntry
from stagedoor.verification import services
from stagedoor.verification.models import Recovery
from stagedoor.verification.tests.fake_vendors import FakeVendors, deliver
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _verified_performer(make_user: Any, login: str) -> User:
    """A performer verified as "Nova Example", born 1995-05-05 (an approved vendor record)."""
    nova: User = make_user("performer", login=login, verified=False)
    services.identity_record_approved(
        user=nova, legal_name="Nova Example", date_of_birth=date(1995, 5, 5), country="NL", actor="test"
    )
    RecoveryCode.objects.create(user=nova, code_hash="x" * 64)
    return nova


def test_a_performer_recovers_after_a_matching_check_and_the_cooling_off(
    make_user: Any, vendors: FakeVendors, settings: Any
) -> None:
    settings.STAGEDOOR_VERIFICATION_RECOVERY_COOLING_HOURS = 72
    nova = _verified_performer(make_user, "nova_lost")
    browser = client_for(None)
    started = browser.post("/recover", {"login": "nova_lost@example.test"})
    assert started.status_code == 302 and started["Location"].startswith("/recover/")
    recovery = Recovery.objects.get()
    assert recovery.verification is not None
    assert (recovery.status, recovery.started_by_label, recovery.verification.purpose) == (
        "identity_check",
        "self",
        "recovery",
    )
    page = browser.get(started["Location"]).content.decode()
    assert f'href="{recovery.verification.vendor_url}"' in page
    assert [m.subject for m in mail.outbox] == ["Stagedoor: account recovery started"]
    assert mail.outbox[0].to == ["nova_lost@example.test"]

    deliver(Client(), vendors.decide(recovery.verification.vendor_session_id, "approved"))
    recovery.refresh_from_db()
    assert recovery.status == "cooling_off" and recovery.cooling_off_until is not None
    assert abs((recovery.cooling_off_until - timezone.now()) - timedelta(hours=72)) < timedelta(minutes=1)
    assert mail.outbox[-1].subject == "Stagedoor: identity confirmed for account recovery"

    too_early = browser.post(started["Location"], {"password": "a brand new passphrase 77"})
    assert (
        too_early.status_code == 400 and "For your safety, a new password can be set from" in too_early.content.decode()
    )
    nova.refresh_from_db()
    assert not nova.check_password("a brand new passphrase 77")

    Recovery.objects.filter(pk=recovery.pk).update(cooling_off_until=timezone.now() - timedelta(seconds=1))
    done = browser.post(started["Location"], {"password": "a brand new passphrase 77"})
    assert done.status_code == 302 and done["Location"] == "/login"
    nova.refresh_from_db()
    assert nova.check_password("a brand new passphrase 77")
    assert (nova.mfa_enabled, nova.totp_secret, RecoveryCode.objects.filter(user=nova).count()) == (False, "", 0)
    assert Recovery.objects.get().status == "completed"
    assert mail.outbox[-1].subject == "Stagedoor: password changed by account recovery"
    assert list(
        AuditEntry.objects.filter(target_id=nova.pk, action__startswith="verification.recovery").values_list(
            "action", flat=True
        )
    ) == ["verification.recovery_started", "verification.recovery_identity_confirmed"]
    assert AuditEntry.objects.filter(action="account.credentials_reset", target_id=nova.pk).count() == 1
    # the link is spent
    assert browser.get(started["Location"]).status_code == 404


def test_a_check_of_someone_else_fails_the_recovery(make_user: Any, vendors: FakeVendors) -> None:
    nova = _verified_performer(make_user, "nova_target")
    started = services.recovery_start(login="nova_target")
    session = vendors.session_for(started.recovery.verification_id)
    impostor = {"firstName": "Mallory", "lastName": "Example", "dateOfBirth": "1995-05-05"}
    deliver(Client(), vendors.decide(session.id, "approved", person=impostor))
    recovery = Recovery.objects.get()
    assert (recovery.status, recovery.failure) == ("failed", "The identity checked does not match the verified record.")
    nova.refresh_from_db()
    assert nova.mfa_enabled and mail.outbox[-1].subject == "Stagedoor: account recovery refused"
    with pytest.raises(Exception, match="not ready"):
        services.recovery_complete(token=started.token, new_password="a brand new passphrase 77")


def test_support_starts_a_recovery_without_seeing_documents_and_the_owner_can_cancel(
    make_user: Any, vendors: FakeVendors
) -> None:
    nova = _verified_performer(make_user, "nova_called")
    support = make_user("support_l1", login="sam")
    console = client_for(support)
    page = console.post("/staff/recoveries/", {"login": "nova_called"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="recovery-link"' in html and "Nova Example" not in html and "1995" not in html
    recovery = Recovery.objects.get()
    assert recovery.started_by_label == "sam"
    assert "by our support team (sam)" in mail.outbox[0].body
    api = console.post("/api/v1/staff/recoveries", data={"login": "nova_called"}, content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "recovery.in_progress"
    # support sees status, never documents
    assert console.get(f"/staff/applications/review/{recovery.verification_id}/").status_code == 403

    services.recovery_cancel(actor=nova, recovery_id=recovery.pk)
    assert Recovery.objects.get().status == "cancelled"
    assert AuditEntry.objects.filter(action="verification.recovery_cancelled", actor_id=nova.pk).count() == 1


def test_only_verified_performers_can_recover_this_way(make_user: Any, vendors: FakeVendors) -> None:
    make_user("viewer", login="just_a_viewer")
    make_user("performer", login="never_verified", verified=False)
    for login in ("just_a_viewer", "never_verified", "nobody_at_all"):
        response = client_for(None).post("/recover", {"login": login})
        assert response.status_code == 400
        assert "only verified performers can" in response.content.decode()
    assert Recovery.objects.count() == 0 and mail.outbox == []
