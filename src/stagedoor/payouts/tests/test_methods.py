"""Payout methods: checked details, encrypted at rest, shown masked, versioned, in the performer's own name,
announced (outbox + mail), through the service, the API and the studio page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection

from stagedoor.core.errors import ValidationFailed
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.payouts import errors, selectors, services
from stagedoor.payouts.models import PayoutMethod
from stagedoor.payouts.tests.helpers import BTC, IBAN, IBAN_BAD, performer_named
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _sepa(performer: Any, holder: str = "Lena Marie Vogt", iban: str = IBAN, **extra: Any) -> PayoutMethod:
    return services.payout_method_set(
        performer=performer, kind="sepa", holder_name=holder, fields={"iban": iban, "bic": ""}, **extra
    )


def test_details_are_encrypted_at_rest_and_shown_masked(make_user: Any) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    method = _sepa(lena)
    assert (method.version, method.kind, method.masked, method.superseded_at) == (1, "sepa", "DE89 •••• 3000", None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT details, holder_name FROM payouts_payoutmethod WHERE id = %s", [method.pk])
        details_raw, holder_raw = cursor.fetchone()
    assert IBAN not in details_raw and "370400440532013000" not in details_raw and "Vogt" not in holder_raw
    fresh = PayoutMethod.objects.get(pk=method.pk)
    assert fresh.details_dict == {"iban": IBAN, "bic": ""} and fresh.holder_name == "Lena Marie Vogt"
    [entry] = AuditEntry.objects.filter(action="payouts.method_changed")
    assert (entry.actor_id, entry.target_id, entry.data["masked"]) == (lena.pk, method.pk, "DE89 •••• 3000")
    assert IBAN not in str(entry.data)


def test_a_change_is_a_new_version_the_old_kept_and_the_performer_is_mailed(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    with django_capture_on_commit_callbacks(execute=True):
        first = _sepa(lena)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.payout_method_set(
            performer=lena, kind="crypto", holder_name="VOGT, Lena Marie", fields={"address": BTC}
        )
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    assert (second.version, second.masked) == (2, "bc1q•••• 5mdq")
    assert selectors.current_payout_method(lena) == second
    assert [m.version for m in selectors.payout_method_history(lena)] == [2, 1]
    events = list(OutboxEvent.objects.filter(topic="payouts.method_changed").order_by("created_at"))
    assert [e.payload["version"] for e in events] == [1, 2]
    assert [m.subject for m in mail.outbox] == ["Stagedoor: your payout details changed"] * 2
    assert mail.outbox[1].to == [lena.email] and "bc1q•••• 5mdq" in str(mail.outbox[1].body)
    assert BTC not in str(mail.outbox[1].body)
    # the same details again change nothing
    assert (
        services.payout_method_set(
            performer=lena, kind="crypto", holder_name="VOGT, Lena Marie", fields={"address": BTC}
        )
        == second
    )
    assert PayoutMethod.objects.filter(performer=lena).count() == 2


def test_a_wrong_iban_checksum_is_a_field_error_and_nothing_is_saved(make_user: Any) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    with pytest.raises(errors.PayoutDetailsInvalid) as caught:
        _sepa(lena, iban=IBAN_BAD)
    assert caught.value.code == "payouts.details_invalid"
    assert caught.value.extra["fields"] == {"iban": ["This IBAN fails its checksum: check for a mistyped digit."]}
    assert PayoutMethod.objects.count() == 0 and OutboxEvent.objects.filter(topic="payouts.method_changed").count() == 0


def test_details_must_be_in_the_performers_own_name(make_user: Any) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    _sepa(lena)
    with pytest.raises(errors.HolderNameMismatch) as caught:
        _sepa(lena, holder="Somebody Else Entirely", iban="GB82WEST12345698765432")
    assert caught.value.status == 422 and "holder_name" in caught.value.extra["fields"]
    assert PayoutMethod.objects.count() == 1  # the old method stays in force
    [refused] = AuditEntry.objects.filter(action="payouts.method_refused")
    assert refused.target_id == lena.pk and refused.data["reason"] == "holder_name_mismatch"
    assert refused.data["score"] < refused.data["needed"] == 85
    # accents, case and word order are not a mismatch
    method = _sepa(lena, holder="VOGT, Léna Marie", iban="GB82WEST12345698765432")
    assert method.version == 2 and method.name_score == 100


def test_without_a_verified_identity_no_details_are_taken(make_user: Any) -> None:
    unverified = make_user("performer", verified=False)
    with pytest.raises(errors.IdentityRequired):
        _sepa(unverified)
    assert PayoutMethod.objects.count() == 0
    viewer = make_user("viewer")
    from stagedoor.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        _sepa(viewer)


def test_api_sets_and_reads_the_method_masked(make_user: Any, api_client: Any) -> None:
    lena = performer_named(make_user, "Lena Marie Vogt")
    client = api_client(lena)
    response = client.put(
        "/api/v1/me/payout-method",
        {"kind": "ewallet", "holder_name": "Lena Vogt Marie", "email": "lena.pay@example.test"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current"]["masked"] == "l••••@example.test" and body["current"]["version"] == 1
    assert "lena.pay" not in response.content.decode()
    assert body["blockers"] == []
    bad = client.put(
        "/api/v1/me/payout-method",
        {"kind": "sepa", "holder_name": "Lena Marie Vogt", "iban": IBAN_BAD},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "payouts.details_invalid" and "iban" in bad.json()["extra"]["fields"]
    assert client.get("/api/v1/me/payout-method").json()["current"]["kind"] == "ewallet"


def test_studio_card_and_payout_method_page(make_user: Any) -> None:
    from stagedoor.rooms.services import room_for_performer

    lena = performer_named(make_user, "Lena Marie Vogt")
    room_for_performer(performer=lena)
    client = client_for(lena)
    studio = client.get("/studio").content.decode()
    assert 'data-testid="studio-payout-method"' in studio and 'data-testid="payout-none"' in studio
    refused = client.post(
        "/studio/payout-method", {"kind": "sepa", "holder_name": "Lena Marie Vogt", "iban": IBAN_BAD, "bic": ""}
    )
    assert refused.status_code == 422
    assert 'data-testid="error-iban"' in refused.content.decode()
    assert "fails its checksum" in refused.content.decode()
    saved = client.post(
        "/studio/payout-method",
        {"kind": "sepa", "holder_name": "Lena Marie Vogt", "iban": IBAN, "bic": ""},
        follow=True,
    )
    page = saved.content.decode()
    assert saved.status_code == 200 and "DE89 •••• 3000" in page and IBAN not in page
    assert 'data-testid="payout-history"' in page
    mismatch = client.post(
        "/studio/payout-method", {"kind": "sepa", "holder_name": "Max Mustermann", "iban": IBAN, "bic": ""}
    )
    assert mismatch.status_code == 422 and "in your own name" in mismatch.content.decode()
    assert "DE89 •••• 3000" in client.get("/studio").content.decode()
    assert client_for(make_user("viewer")).get("/studio/payout-method").status_code == 403


def test_validation_failed_is_the_base(make_user: Any) -> None:
    assert issubclass(errors.PayoutDetailsInvalid, ValidationFailed)
