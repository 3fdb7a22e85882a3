"""Inbound mail into tickets: threading by reply token, forged tokens, loops, the rate cap, attachments (size,
type by content, metadata), HTML, duplicates; and Mailgun's inbound webhook with its real signature scheme."""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from stagedoor.support import services, tokens
from stagedoor.support.attachments import check_attachment
from stagedoor.support.mailparse import parse_mail, sanitise_html, strip_quoted
from stagedoor.support.models import Attachment, InboundMail, Ticket, TicketMessage

from .conftest import build_mail

pytestmark = pytest.mark.django_db
DOMAIN = "support.stagedoor.invalid"


def receive(raw: bytes, **kw: Any) -> InboundMail:
    return services.mail_receive(raw=raw, transport="smtp", **kw)


def photo_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Maker"  # Make
    exif[0x0131] = "Secret Software 1.0"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_mail_opens_a_ticket_for_the_account_with_that_address(make_user: Any, committed: Any) -> None:
    viewer = make_user("viewer", login="mia")
    row = committed(lambda: receive(build_mail(sender="mia@example.test")))
    assert row.outcome == "new_ticket"
    ticket = Ticket.objects.get(pk=row.ticket_id)
    assert (ticket.requester, ticket.channel, ticket.subject) == (viewer, "email", "My tokens did not arrive")
    assert ticket.messages.get().body == "I bought 100 tokens an hour ago and my balance did not change."
    [ack] = mail.outbox
    assert ack.reply_to == [tokens.reply_address(ticket.pk)] and ack.extra_headers["Auto-Submitted"] == "auto-replied"


def test_a_reply_to_the_token_address_is_threaded_without_the_quote(make_user: Any) -> None:
    ticket = Ticket.objects.get(pk=receive(build_mail()).ticket_id)
    reply = build_mail(
        to=tokens.reply_address(ticket.pk),
        subject="Re: My tokens did not arrive",
        text="Here is the receipt number: 4711.\n\nOn Tue, 1 Dec 2026 at 10:00 Stagedoor support wrote:\n> old text",
    )
    row = receive(reply)
    assert (row.outcome, row.ticket_id) == ("threaded", ticket.pk)
    assert Ticket.objects.count() == 1
    assert [m.body for m in ticket.messages.all()][-1] == "Here is the receipt number: 4711."


def test_a_forged_token_never_touches_the_ticket_it_names() -> None:
    ticket = Ticket.objects.get(pk=receive(build_mail()).ticket_id)
    forged = build_mail(sender="attacker@example.test", to=f"support+{ticket.pk}.aaaaaaaaaaaaaaaaaaaaaaaa@{DOMAIN}")
    row = receive(forged)
    assert row.outcome == "forged_token"
    assert ticket.messages.count() == 1  # nothing was added to the named ticket
    new = Ticket.objects.get(pk=row.ticket_id)
    assert new.pk != ticket.pk and new.thread_verified is False and new.requester_email == "attacker@example.test"
    note = new.messages.get(internal=True)
    assert "did not verify" in note.body and ticket.pk in note.body


def test_auto_replies_are_kept_as_notes_and_never_answered(committed: Any) -> None:
    ticket = Ticket.objects.get(pk=committed(lambda: receive(build_mail())).ticket_id)
    mail.outbox.clear()
    auto = build_mail(
        to=tokens.reply_address(ticket.pk),
        subject="Out of office",
        text="I am on holiday until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    row = committed(lambda: receive(auto))
    assert row.outcome == "auto_reply"
    assert mail.outbox == []
    note = ticket.messages.get(internal=True)
    assert "I am on holiday until Monday." in note.body
    assert Ticket.objects.get(pk=ticket.pk).status == "new"  # not reopened, not answered


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_automatic_mail_to_the_desk_opens_nothing(headers: dict[str, str], committed: Any) -> None:
    row = committed(lambda: receive(build_mail(headers=headers)))
    assert row.outcome == "auto_dropped" and row.reason
    assert Ticket.objects.count() == 0 and mail.outbox == []


def test_mail_from_a_daemon_or_from_ourselves_is_not_answered() -> None:
    assert receive(build_mail(sender="MAILER-DAEMON@example.test")).outcome == "auto_dropped"
    assert receive(build_mail(sender=f"support@{DOMAIN}")).outcome == "auto_dropped"
    assert Ticket.objects.count() == 0


def test_a_sender_over_the_hourly_cap_is_held_with_the_mail_kept(support_config: Any) -> None:
    support_config(mails_per_hour=3)
    outcomes = [receive(build_mail(subject=f"Ping {i}")).outcome for i in range(5)]
    assert outcomes == ["new_ticket", "new_ticket", "new_ticket", "held", "held"]
    held = InboundMail.objects.filter(outcome="held").first()
    assert held is not None and "Ping 3" in held.raw and held.ticket_id is None
    assert Ticket.objects.count() == 3


def test_a_duplicate_message_id_changes_nothing() -> None:
    raw = build_mail(message_id="<abc123@example.test>")
    assert receive(raw).outcome == "new_ticket"
    assert receive(raw).outcome == "duplicate"
    assert Ticket.objects.count() == 1 and TicketMessage.objects.count() == 1


def test_a_50_mb_attachment_is_refused_and_the_rest_of_the_mail_is_kept(committed: Any) -> None:
    big = os.urandom(50 * 1024 * 1024)
    raw = build_mail(attachments=[("recording.mp4", "video/mp4", big), ("proof.jpg", "image/jpeg", photo_with_exif())])
    row = committed(lambda: receive(raw))
    ticket = Ticket.objects.get(pk=row.ticket_id)
    message = ticket.messages.get()
    assert message.body.startswith("I bought 100 tokens")
    refused, kept = sorted(message.attachments.all(), key=lambda a: a.filename, reverse=True)
    assert (refused.filename, refused.status, refused.content) == ("recording.mp4", "refused", "")
    assert refused.reason == "larger than 10 MB (50 MB)" and refused.size == 50 * 1024 * 1024
    assert (kept.filename, kept.status, kept.content_type) == ("proof.jpg", "clean", "image/jpeg")
    [ack] = mail.outbox  # the sender is told which attachment was refused, and why
    assert "- recording.mp4: larger than 10 MB (50 MB)" in ack.body and "proof.jpg" not in ack.body
    mail.outbox.clear()
    reply = build_mail(
        to=tokens.reply_address(ticket.pk),
        text="Here it is zipped",
        attachments=[("clip.zip", "application/zip", b"PK\x03\x04zip")],
    )
    committed(lambda: receive(reply))
    [notice] = mail.outbox
    assert "- clip.zip: a zip archive (or an Office file): archives are not accepted" in notice.body
    assert notice.extra_headers["Auto-Submitted"] == "auto-replied"


def test_attachments_are_typed_by_content_and_stripped_of_metadata() -> None:
    original = photo_with_exif()
    assert b"SpyCam Maker" in original
    verdict = check_attachment(original, max_bytes=10_000_000)
    assert verdict.ok and verdict.content_type == "image/jpeg"
    assert b"SpyCam Maker" not in verdict.content and not Image.open(io.BytesIO(verdict.content)).getexif()
    assert check_attachment(b"MZ\x90\x00" + b"\x00" * 100, max_bytes=1000).reason.startswith("a Windows program")
    assert "zip" in check_attachment(b"PK\x03\x04rest-of-zip", max_bytes=1000).reason
    assert "script" in check_attachment(b"#!/bin/sh\nrm -rf /\n", max_bytes=1000).reason
    assert "HTML" in check_attachment(b"<html><script>alert(1)</script></html>", max_bytes=1000).reason
    # a "photo" whose content is a program is refused whatever its name says
    raw = build_mail(attachments=[("cute.jpg", "image/jpeg", b"\x7fELF" + b"\x00" * 64)])
    ticket = Ticket.objects.get(pk=receive(raw).ticket_id)
    [attachment] = Attachment.objects.filter(message__ticket=ticket)
    assert (attachment.status, attachment.reason) == ("refused", "a Linux program: programs are never accepted")
    text = check_attachment(b"OBS log: 12 skipped frames\n", max_bytes=1000)
    assert (text.ok, text.content_type) == (True, "text/plain")


def test_html_mail_is_sanitised_and_never_kept_raw() -> None:
    html = (
        '<p onclick="steal()">Hello <b>team</b></p><script>alert("x")</script>'
        '<a href="javascript:alert(1)">click</a><a href="https://example.test/help">help</a>'
        '<img src="https://tracker.example.test/pixel.gif"><style>body{display:none}</style>'
    )
    row = receive(build_mail(text=None, html=html))
    message = Ticket.objects.get(pk=row.ticket_id).messages.get()
    for bad in ("<script", "onclick", "javascript:", "<img", "<style", "alert("):
        assert bad not in message.html
    assert '<a href="https://example.test/help" rel="noopener noreferrer nofollow">help</a>' in message.html
    assert message.body.startswith("Hello team")
    assert sanitise_html("<svg onload=alert(1)>") == ""


def test_parse_reads_encoded_headers_and_strip_quoted() -> None:
    raw = build_mail(subject="Zahlung fehlgeschlagen – Hilfe", headers={"Content-Language": "de"})
    parsed = parse_mail(raw, reply_domain=DOMAIN)
    assert parsed.subject == "Zahlung fehlgeschlagen – Hilfe" and parsed.language == "de"
    assert strip_quoted("Thanks!\n\n-- Reply above this line --\nold") == "Thanks!"


def test_an_unreadable_or_oversized_mail_is_refused(support_config: Any) -> None:
    support_config(mail_max_mb=1, attachment_max_mb=1)
    from stagedoor.support import errors

    with pytest.raises(errors.MailTooLarge):
        receive(b"x" * (1024 * 1024 + 1))
    assert Ticket.objects.count() == 0
    assert InboundMail.objects.get().outcome == "rejected"


# --- Mailgun's inbound webhook (its real form and signature scheme; Mailgun itself is not called) --------------

KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"  # invented


def mailgun_form(
    raw: bytes, *, key: str = KEY, timestamp: int | None = None, token: str | None = None
) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    tok = token or os.urandom(25).hex()
    return {
        "timestamp": ts,
        "token": tok,
        "signature": hmac.new(key.encode(), f"{ts}{tok}".encode(), hashlib.sha256).hexdigest(),
        "recipient": f"support@{DOMAIN}",
        "sender": "mia.customer@example.test",
        "body-mime": raw.decode(),
    }


def test_mailgun_webhook_opens_a_ticket_with_a_valid_signature(support_config: Any) -> None:
    support_config(mailgun_signing_key=KEY)
    response = Client().post("/api/v1/support/inbound/mailgun", mailgun_form(build_mail()))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "new_ticket"
    assert Ticket.objects.get(pk=body["ticket_id"]).channel == "email"


def test_mailgun_webhook_refuses_bad_stale_and_replayed_signatures(support_config: Any) -> None:
    support_config(mailgun_signing_key=KEY)
    client = Client()
    url = "/api/v1/support/inbound/mailgun"
    wrong = client.post(url, mailgun_form(build_mail(), key="another-key"))
    stale = client.post(url, mailgun_form(build_mail(), timestamp=int(time.time()) - 3600))
    assert (wrong.status_code, wrong.json()["code"]) == (403, "support.webhook_signature")
    assert stale.status_code == 403
    form = mailgun_form(build_mail())
    assert client.post(url, form).status_code == 200
    assert client.post(url, form).json()["code"] == "support.webhook_signature"  # the same token again
    assert Ticket.objects.count() == 1


def test_mailgun_webhook_is_off_without_a_key() -> None:
    response = Client().post("/api/v1/support/inbound/mailgun", mailgun_form(build_mail()))
    assert (response.status_code, response.json()["code"]) == (404, "support.webhook_off")
    assert InboundMail.objects.count() == 0
