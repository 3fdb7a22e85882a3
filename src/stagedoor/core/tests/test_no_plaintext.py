"""An invented person's sensitive values, written through the apps' own services and models, appear nowhere in the
raw database (every column of every table, read through a cursor, moderation evidence included) nor in any file under the var and media
directories. Covers the fields listed as encrypted in docs/privacy.md ("Encryption at rest"), e-mail addresses and the
addresses kept in the audit log, postbacks and webhooks included."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image, PngImagePlugin

from stagedoor.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db

PERSON = {
    "stage_name": "Velvet Comet",  # public by design: not a needle
    "legal_name": "Marguerite Oyelaran-Vasquez",
    "date_of_birth": "1987-03-14",
    "country": "PT",
}
ADDRESS = "203.0.113.77"
PRIVATE_MESSAGE = "meet me by the lighthouse on Quintal street"
TOTP_SECRET = pyotp.random_base32()


def _png_with_name() -> bytes:
    meta = PngImagePlugin.PngInfo()
    meta.add_text("Author", PERSON["legal_name"])
    meta.add_text("Comment", f"born {PERSON['date_of_birth']}")
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (90, 140, 200)).save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def _database_text() -> str:
    """Every value of every table, as text (bytes decoded leniently)."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        chunks.append(bytes(value).decode("latin-1"))
                    elif value is not None:
                        chunks.append(str(value))
    return "\n".join(chunks)


def _files_bytes(*roots: Path) -> list[tuple[Path, bytes]]:
    found = []
    for root in roots:
        if root.exists():
            found += [(p, p.read_bytes()) for p in root.rglob("*") if p.is_file()]
    return found


def test_no_plaintext_of_a_persons_sensitive_values_in_the_database_or_files(
    settings: Any, tmp_path: Path, make_user: Any
) -> None:
    from stagedoor.chat.models import ChatMessage
    from stagedoor.fans.models import Message, Thread
    from stagedoor.fans.services.moderation import case_open_for_held_message
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.verification import services as verification

    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, var_dir=tmp_path / "var", media_dir=tmp_path / "media")
    person = make_user("viewer", login="velvetcomet", mfa=False)
    person.totp_secret = TOTP_SECRET
    person.mfa_enabled = True
    person.save(update_fields=["totp_secret", "mfa_enabled"])

    application = verification.performer_apply(user=person, method="manual", **PERSON)
    assert application.verification is not None
    document = verification.document_add(
        user=person, verification_id=application.verification.pk, kind="id_front", data=_png_with_name()
    )

    performer = make_user("performer", login="harbourstar")
    thread = Thread.objects.create(fan=person, performer=performer)
    held = Message.objects.create(
        thread=thread, sender=person, client_key="k1", body=PRIVATE_MESSAGE, status=Message.Status.HELD
    )
    # held for review: the moderation case quotes the text as evidence (encrypted too)
    case = case_open_for_held_message(message_id=held.pk, reason="harassment")
    assert case is not None and case.evidence["private_message"]["text"] == PRIVATE_MESSAGE
    ChatMessage.objects.create(
        id="velvet0001",
        room=room_for_performer(performer=performer),
        user=person,
        login=person.login,
        role="viewer",
        text="hello everyone",  # public room chat: not a needle
        ip=ADDRESS,
        created_at=timezone.now(),
    )

    # the values are there and read back through the models ...
    person.refresh_from_db()
    assert person.totp_secret == TOTP_SECRET
    assert Message.objects.get(thread=thread).body == PRIVATE_MESSAGE
    assert ChatMessage.objects.get(pk="velvet0001").ip == ADDRESS
    application.verification.refresh_from_db()
    assert application.verification.legal_name == PERSON["legal_name"]
    assert document.size > 0

    # ... but not in the raw database, nor in any file the apps wrote
    needles = [PERSON["legal_name"], PERSON["date_of_birth"], ADDRESS, PRIVATE_MESSAGE, TOTP_SECRET]
    needles += ["Oyelaran", "lighthouse"]  # parts too, in case a value was split or truncated
    stored = _database_text()
    assert "velvetcomet" in stored  # the scan does see this person's rows
    assert [n for n in needles if n in stored] == []
    files = _files_bytes(tmp_path / "var", tmp_path / "media")
    assert files, "the document should be on disk"
    leaks = [(str(p), n) for p, data in files for n in needles if n.encode() in data]
    assert leaks == []


EMAIL = "Marguerite.OV@post-lagos.example"  # as typed: stored lower-cased, encrypted, found by its keyed hash
GUEST_EMAIL = "quintal.reader@harbour-mail.example"
GUEST_NAME = "Ifeoma Castellanos-Brandt"
LOGIN_ADDRESS = "198.51.100.203"
PROVIDER_ADDRESS = "203.0.113.141"
VENDOR_ADDRESS = "192.0.2.187"


def test_no_plaintext_of_e_mail_addresses_names_or_ip_addresses_anywhere_in_the_database(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The accounts e-mail, the support requester's address and name, the inbound mail's sender, the audit log's
    address and the postback/webhook source addresses and bodies: written through the services, read back through
    the models and the one e-mail lookup, and found nowhere in the raw database."""
    from stagedoor.accounts import services as accounts
    from stagedoor.accounts.selectors import user_by_email
    from stagedoor.core.audit import audit_verify_report
    from stagedoor.core.models import AuditEntry
    from stagedoor.payments import services as payments
    from stagedoor.payments.models import Postback
    from stagedoor.payments.providers.base import PostbackRequest
    from stagedoor.support import services as support
    from stagedoor.support.models import InboundMail, Ticket
    from stagedoor.support.tests.conftest import build_mail
    from stagedoor.verification.models import WebhookEvent
    from stagedoor.verification.services.webhooks import webhook_receive
    from stagedoor.verification.vendors.base import WebhookRequest

    person = make_user("viewer", login="velvetcomet")
    person.email = EMAIL.lower()
    person.save(update_fields=["email"])  # the keyed hash follows the address
    accounts.user_login_succeeded(user=person, ip=LOGIN_ADDRESS, method="password")
    with django_capture_on_commit_callbacks(execute=True):
        mail = support.mail_receive(raw=build_mail(sender=EMAIL), transport="smtp")
        guest = support.ticket_open(
            requester=None,
            request=support.OpenRequest(
                subject="Locked out", body="I cannot sign in any more.", email=GUEST_EMAIL, name=GUEST_NAME
            ),
        )
    postback_body = json.dumps({"event": "payment.approved", "buyer": {"email": EMAIL}}).encode()
    payments.postback_receive(
        provider="sandbox",
        request=PostbackRequest(method="POST", query={}, body=postback_body, remote_ip=PROVIDER_ADDRESS),
    )
    webhook_receive(vendor="nosuch", request=WebhookRequest(body=b"{}", headers={}), remote_ip=VENDOR_ADDRESS)

    # the values read back through the models, and the one lookup by e-mail finds the account (any case)
    found = user_by_email(EMAIL.upper())
    assert found is not None and (found.pk, found.email) == (person.pk, EMAIL.lower())
    assert accounts.user_authenticate(login=EMAIL, password=TEST_PASSWORD, ip=LOGIN_ADDRESS).pk == person.pk
    assert AuditEntry.objects.get(action="auth.login", actor_id=person.pk).ip == LOGIN_ADDRESS
    mail.refresh_from_db()
    assert mail.sender == EMAIL.lower()  # the mail parser lower-cases the address
    assert Ticket.objects.get(pk=mail.ticket_id).requester_id == person.pk
    guest.refresh_from_db()
    assert (guest.requester_email, guest.requester_name) == (GUEST_EMAIL, GUEST_NAME)
    postback = Postback.objects.get()
    assert (postback.remote_ip, postback.body) == (PROVIDER_ADDRESS, postback_body.decode())
    assert WebhookEvent.objects.get().remote_ip == VENDOR_ADDRESS
    assert InboundMail.objects.count() == 1
    assert audit_verify_report().ok  # the chain covers the (encrypted) address and still verifies

    stored = _database_text()
    assert "velvetcomet" in stored  # the scan does see this person's rows
    needles = [EMAIL, EMAIL.lower(), GUEST_EMAIL, GUEST_NAME, LOGIN_ADDRESS, PROVIDER_ADDRESS, VENDOR_ADDRESS]
    needles += ["post-lagos", "harbour-mail", "Castellanos"]  # parts too, in case a value was split or truncated
    assert [n for n in needles if n.lower() in stored.lower()] == []
