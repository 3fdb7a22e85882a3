"""Broadcasts follow the room's status (who was declared on each), and the custodian of records sees and exports
everyone who appeared on camera, their verification, documents and dates on air — each view and export audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.rooms.services import room_for_performer, room_set_status
from stagedoor.verification import conf, services
from stagedoor.verification.models import Broadcast, RecordsHold, Verification
from stagedoor.verification.services.records import COLUMNS
from stagedoor.verification.tests.conftest import drawn_image
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _status(room: Any, status: str, capture: Any) -> None:
    """The room changes status as the ingest reports it; its outbox event is dispatched after commit."""
    with capture(execute=True):
        room_set_status(room=room, status=status)


def _duo(make_user: Any) -> tuple[Any, Any, Any]:
    nova = make_user("performer", login="nova_rec", display_name="Nova Rec")
    guest = services.coperformer_add_record(
        owner=nova,
        stage_name="Sol Guest",
        legal_name="Sol Example Guest",
        date_of_birth="1992-07-07",
        country="BE",
        release_signed_name="Sol Example Guest",
        release_accepted=True,
        method="manual",
    )
    verification = Verification.objects.get(coperformer=guest)
    for kind in ("id_front", "selfie"):
        services.document_add(user=nova, verification_id=verification.pk, kind=kind, data=drawn_image())
    services.verification_submit(user=nova, verification_id=verification.pk)
    services.verification_review_decide(
        actor=make_user("compliance", login="reviewer"),
        verification_id=verification.pk,
        decision="approve",
        document_expires_on=timezone.now().date() + timedelta(days=900),
    )
    services.coperformer_declare(owner=nova, coperformer_id=guest.pk, declared=True)
    return nova, guest, verification


def test_a_broadcast_records_who_was_declared_and_holds_their_records(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    nova, guest, _ = _duo(make_user)
    room = room_for_performer(performer=nova)
    _status(room, "live", capture)
    live = Broadcast.objects.get()
    assert (live.performer_id, live.stage_name, live.ended_at) == (nova.pk, "Nova Rec", None)
    assert live.declared == [{"id": guest.pk, "stage_name": "Sol Guest", "account": None}]
    _status(room, "reconnecting", capture)  # a dropped encoder is the same broadcast
    assert Broadcast.objects.count() == 1
    services.coperformer_declare(owner=nova, coperformer_id=guest.pk, declared=False)  # changes the next one only
    _status(room, "offline", capture)
    live.refresh_from_db()
    assert live.ended_at is not None and list(live.coperformers.all()) == [guest]
    years = conf.records_years()
    for hold in (RecordsHold.objects.get(user=nova), RecordsHold.objects.get(coperformer=guest)):
        assert hold.last_appearance_at == live.ended_at
        assert hold.retain_until.year == live.ended_at.year + years
        assert "18 U.S.C. § 2257" in hold.legal_basis
    _status(room, "live", capture)
    second = Broadcast.objects.exclude(pk=live.pk).get()
    assert second.declared == []

    # moderators see who was declared on any past broadcast
    moderator = client_for(make_user("moderator"))
    listing = moderator.get("/api/v1/staff/broadcasts", {"performer_id": nova.pk}).json()
    assert [(b["id"], [d["stage_name"] for d in b["declared"]]) for b in listing] == [
        (second.pk, []),
        (live.pk, ["Sol Guest"]),
    ]
    page = moderator.get("/staff/broadcasts/?performer=nova_rec").content.decode()
    assert f'data-testid="broadcast-{live.pk}"' in page and "Sol Guest" in page


def test_the_custodian_views_and_exports_the_records_and_each_is_audited(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    nova, _guest, guest_verification = _duo(make_user)
    room = room_for_performer(performer=nova)
    _status(room, "live", capture)
    _status(room, "offline", capture)
    compliance = make_user("compliance", login="custodian")
    client = client_for(compliance)

    page = client.get("/staff/custodian/")
    assert page.status_code == 200
    rows = {r.kind: r for r in page.context["rows"]}
    assert set(rows) == {"performer", "co-performer"}
    performer_row, guest_row = rows["performer"], rows["co-performer"]
    assert (performer_row.login, performer_row.legal_name, performer_row.stage_names) == (
        "nova_rec",
        "Test Person nova_rec",
        ["Nova Rec"],
    )
    assert (guest_row.legal_name, guest_row.date_of_birth, guest_row.verification_id) == (
        "Sol Example Guest",
        "1992-07-07",
        guest_verification.pk,
    )
    assert sorted(guest_row.document_refs) == sorted(d.sha256 for d in guest_verification.documents.all())
    assert guest_row.dates_on_air == [timezone.now().date()]
    assert AuditEntry.objects.filter(action="verification.records_viewed", actor_id=compliance.pk).count() == 1

    export = client.get("/staff/custodian/export.csv")
    assert export.status_code == 200 and export["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(export.content.decode())))
    assert table[0] == COLUMNS
    by_kind = {line[0]: dict(zip(COLUMNS, line, strict=True)) for line in table[1:]}
    assert by_kind["co-performer"]["legal_name"] == "Sol Example Guest"
    assert by_kind["co-performer"]["erasure_exempt"] == "yes"
    assert by_kind["performer"]["stage_names"] == "Nova Rec"
    api = client.get("/api/v1/staff/verification/records")
    assert api.status_code == 200 and api.content.decode().splitlines()[0] == ",".join(COLUMNS)
    exports = AuditEntry.objects.filter(action="verification.records_exported")
    assert [(e.actor_id, e.data) for e in exports] == [(compliance.pk, {"rows": 2}), (compliance.pk, {"rows": 2})]

    # the admin decides applications but is not the custodian; support never sees the records
    assert client_for(make_user("admin")).get("/staff/custodian/").status_code == 403
    assert client_for(make_user("support_l2")).get("/api/v1/staff/verification/records").status_code == 403
