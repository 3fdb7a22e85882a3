"""Export: every app's data of the person in one ZIP (JSON + CSV + README), stored encrypted, fetched once
through an expiring link that only its person can use."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.core.privacy_registry import exporters
from stagedoor.privacy import errors, services
from stagedoor.privacy.models import ExportFile, PrivacyRequest, RequestStatus
from stagedoor.privacy.tests.conftest import (
    CHAT_TEXT,
    DISPLAY_NAME,
    EMAIL,
    FAN_MESSAGE,
    LEGAL_NAME,
    TICKET_BODY,
    TIP_MESSAGE,
    Person,
)

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/account/privacy/export/(\S+)")


def _ask(person: Person, django_capture_on_commit_callbacks: Any) -> tuple[PrivacyRequest, str]:
    with django_capture_on_commit_callbacks(execute=True):
        req = services.export_request(user=person.user)
    req.refresh_from_db()
    assert req.status == RequestStatus.DONE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    found = LINK.search(str(mail.outbox[0].body))
    assert found is not None
    return req, found.group(1)


def test_the_archive_holds_every_app_s_data(person: Person, django_capture_on_commit_callbacks: Any) -> None:
    _, token = _ask(person, django_capture_on_commit_callbacks)
    archive = zipfile.ZipFile(io.BytesIO(services.export_download(user=person.user, token=token)))
    names = set(archive.namelist())
    expected = {"README.txt"}
    for label, fn in exporters().items():
        for table in fn(person.user):
            expected |= {f"{label}/{table}.json", f"{label}/{table}.csv"}
    assert names == expected
    assert {n.split("/")[0] for n in names if "/" in n} == set(exporters())  # a folder from every app
    # a few exact values, from several apps
    account = json.loads(archive.read("accounts/account.json"))
    assert [(a["login"], a["email"], a["display_name"]) for a in account] == [("zelda_q", EMAIL, DISPLAY_NAME)]
    chat = json.loads(archive.read("chat/messages.json"))
    assert [(m["text"], m["ip"]) for m in chat] == [(CHAT_TEXT, "198.51.100.7")]
    tips = json.loads(archive.read("wallet/tips_sent.json"))
    assert [(t["amount"], t["message"], t["performer_id"]) for t in tips] == [(25, TIP_MESSAGE, person.performer.pk)]
    purchases = json.loads(archive.read("payments/purchases.json"))
    assert [(p["tokens"], p["price_minor"], p["currency"]) for p in purchases] == [(500, 4999, "EUR")]
    apps_ = json.loads(archive.read("verification/performer_applications.json"))
    assert [(a["stage_name"], a["legal_name"], a["date_of_birth"]) for a in apps_] == [
        ("Zee", LEGAL_NAME, "1994-03-02")
    ]
    messages = json.loads(archive.read("fans/messages_sent.json"))
    assert [m["body"] for m in messages] == [FAN_MESSAGE]
    support = json.loads(archive.read("support/messages.json"))
    assert TICKET_BODY in [m["body"] for m in support]
    follows = list(csv.DictReader(io.StringIO(archive.read("rooms/follows.csv").decode())))
    assert [f["room_id"] for f in follows] == [person.room.pk]
    readme = archive.read("README.txt").decode()
    assert "Account: zelda_q" in readme
    assert "chat/messages.json / .csv  (1 rows)" in readme


def test_the_stored_archive_is_encrypted_and_the_link_works_once(
    person: Person, django_capture_on_commit_callbacks: Any
) -> None:
    req, token = _ask(person, django_capture_on_commit_callbacks)
    stored = ExportFile.objects.get(request=req)
    assert stored.token_hash != token and len(stored.token_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM privacy_exportfile WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1.") and "UEsDB" not in raw  # ciphertext, not the base64 of a ZIP ("PK\x03\x04")
    services.export_download(user=person.user, token=token)
    stored.refresh_from_db()
    assert stored.content == "" and stored.downloaded_at is not None
    with pytest.raises(errors.ExportLinkInvalid):
        services.export_download(user=person.user, token=token)
    assert AuditEntry.objects.filter(action="privacy.export_downloaded", target_id=req.pk).count() == 1


def test_another_person_or_a_forged_or_expired_link_gets_nothing(
    person: Person, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    req, token = _ask(person, django_capture_on_commit_callbacks)
    with pytest.raises(errors.ExportLinkInvalid):
        services.export_download(user=make_user("viewer"), token=token)
    with pytest.raises(errors.ExportLinkInvalid):
        services.export_download(user=person.user, token=token[:-2] + "xx")
    later = timezone.now() + timedelta(hours=73)
    with pytest.raises(errors.ExportLinkInvalid):
        services.export_download(user=person.user, token=token, now=later)
    assert ExportFile.objects.get(request=req).content != ""  # refusals consumed nothing
    assert services.exports_purge(now=later) == 1
    assert ExportFile.objects.get(request=req).content == ""


def test_the_download_page(person: Person, django_capture_on_commit_callbacks: Any) -> None:
    _, token = _ask(person, django_capture_on_commit_callbacks)
    client = Client()
    response = client.get(f"/account/privacy/export/{token}")
    assert response.status_code == 302  # to the entry page, then sign-in: the link alone opens nothing
    client.force_login(person.user)
    response = client.get(f"/account/privacy/export/{token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("accounts/account.json")
    again = client.get(f"/account/privacy/export/{token}")
    assert again.status_code == 404
    assert b"not valid, was already used or has expired" in again.content


def test_staff_run_an_export_for_a_verified_request_by_mail(
    person: Person, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    compliance = make_user("compliance")
    with pytest.raises(errors.VerificationRequired):
        services.staff_request_create(actor=compliance, user=person.user, kind="export", verification_note="ok")
    assert PrivacyRequest.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        req = services.staff_request_create(
            actor=compliance,
            user=person.user,
            kind="export",
            verification_note="Mail came from the account's address; confirmed the last purchase amount.",
        )
    req.refresh_from_db()
    assert (req.source, req.status, req.verified_by_id) == ("email", RequestStatus.DONE, compliance.pk)
    entry = AuditEntry.objects.get(action="privacy.export_requested", target_id=req.pk)
    assert (entry.actor_id, entry.data["source"]) == (str(compliance.pk), "email")
    assert mail.outbox[0].to == [EMAIL]
