"""The requester's pages without a browser: the help form (guest and signed in, with a purchase), the survey page,
attachment downloads (only the requester and the ticket's agents), the studio's onboarding card."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from stagedoor.payments.models import Purchase
from stagedoor.rooms.services import room_for_performer
from stagedoor.support import services, tokens
from stagedoor.support.mailparse import MailPart
from stagedoor.support.models import Attachment, Ticket
from stagedoor.web.tests.console_helpers import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def test_the_help_form_as_a_guest_and_with_a_purchase(make_user: Any) -> None:
    guest = client_for(None)
    missing = guest.post("/support/new", {"category": "account", "subject": "Locked", "body": "Help", "language": "en"})
    assert missing.status_code == 200 and "Give an e-mail address" in missing.content.decode()
    assert Ticket.objects.count() == 0
    sent = guest.post(
        "/support/new",
        {"category": "account", "subject": "Locked", "body": "Help", "email": "g@example.test", "language": "de"},
    )
    assert "g@example.test" in sent.content.decode()
    assert Ticket.objects.get().queue == "l2"  # German: tier 2
    mia = make_user("viewer")
    purchase = Purchase.objects.create(
        buyer=mia,
        tokens=100,
        price_minor=999,
        currency="EUR",
        provider="sandbox",
        idempotency_key="pages-1",
        request_hash="x",
    )
    client = client_for(mia)
    form = client.get(f"/support/new?purchase={purchase.pk}").content.decode()
    assert 'value="billing" selected' in form and "Your e-mail address" not in form
    made = client.post(
        "/support/new",
        {"category": "billing", "subject": "No tokens", "body": "Paid", "purchase_id": purchase.pk, "language": "en"},
    )
    ticket = Ticket.objects.get(requester=mia)
    assert made["Location"] == f"/support/tickets/{ticket.pk}"
    assert (ticket.purchase_id, ticket.channel, ticket.queue) == (purchase.pk, "wallet", "finance")


def test_the_survey_page(make_user: Any) -> None:
    agent = make_user("support_l1")
    ticket = services.ticket_open(
        requester=None, request=services.OpenRequest(subject="s", body="b", email="g@example.test")
    )
    services.ticket_resolve(actor=agent, ticket_id=ticket.pk)
    client = client_for(None)
    url = f"/support/survey/{tokens.survey_token(ticket.pk)}"
    assert client.post(url, {"score": "4", "comment": "Good"}).content.decode().count("Thank you for telling us") == 1
    assert Ticket.objects.get(pk=ticket.pk).csat_score == 4
    assert "already answered" in client.get(url).content.decode()
    assert client.get("/support/survey/not-a-token").status_code == 400


def test_attachments_download_only_for_the_requester_and_the_tickets_agents(make_user: Any) -> None:
    mia, other = make_user("viewer"), make_user("viewer")
    l1, finance = make_user("support_l1"), make_user("finance")
    log = b"OBS 30.2: 120 skipped frames due to encoding lag\n"
    ticket = services.ticket_open(
        requester=mia,
        request=services.OpenRequest(
            subject="Lag", body="See log", category="technical", attachments=[MailPart("obs.log", "text/plain", log)]
        ),
    )
    attachment = Attachment.objects.get(message__ticket=ticket)
    assert base64.b64decode(attachment.content) == log
    url = f"/support/attachments/{attachment.pk}"
    mine = client_for(mia).get(url)
    assert mine.status_code == 200 and mine.content == log
    assert (
        mine["Content-Disposition"] == 'attachment; filename="obs.log"' and mine["X-Content-Type-Options"] == "nosniff"
    )
    assert client_for(other).get(url).status_code == 404
    assert client_for(l1).get(url).status_code == 200
    services.ticket_escalate(actor=l1, ticket_id=ticket.pk, to_queue="compliance", note="odd")
    assert client_for(l1).get(url).status_code == 404
    assert client_for(finance).get(url).status_code == 404


def test_the_studio_shows_the_onboarding_checklist_until_done(make_user: Any) -> None:
    performer = make_user("performer")
    room_for_performer(performer=performer)
    page = client_for(performer).get("/studio").content.decode()
    assert 'data-testid="onboarding"' in page and "Getting started: 1 of 5 done" in page
