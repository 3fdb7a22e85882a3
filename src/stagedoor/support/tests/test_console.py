"""The agent side in the staff console (without a browser): sections by role, the ticket page takes the soft lock,
replies, escalation and resolving through forms, the timeline page, and macros/articles written in the console
(audited)."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.core.models import AuditEntry
from stagedoor.support import services
from stagedoor.support.models import HelpArticle, Macro, Ticket
from stagedoor.web.tests.console_helpers import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def ticket_of(requester: Any, category: str = "technical") -> Ticket:
    return services.ticket_open(
        requester=requester,
        request=services.OpenRequest(subject="Stream stutters", body="OBS drops frames", category=category),
    )


@pytest.mark.parametrize(
    ("role", "queue", "library"),
    [
        ("support_l1", 200, 403),
        ("support_l2", 200, 200),
        ("finance", 200, 403),
        ("moderator", 403, 403),
        ("viewer", 403, 403),
    ],
)
def test_sections_by_role(role: str, queue: int, library: int, make_user: Any) -> None:
    client = client_for(make_user(role))
    assert client.get("/staff/support/").status_code == queue
    assert client.get("/staff/support-library/").status_code == library


def test_the_ticket_page_locks_and_the_forms_act(make_user: Any) -> None:
    mia = make_user("viewer", login="mia")
    ana, bob = make_user("support_l2", login="ana"), make_user("support_l1", login="bob")
    ticket = ticket_of(mia)
    page = client_for(ana).get(f"/staff/support/tickets/{ticket.pk}/")
    assert page.status_code == 200 and "OBS drops frames" in page.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).locked_by == ana
    other = client_for(bob).get(f"/staff/support/tickets/{ticket.pk}/").content.decode()
    assert "ana is working on this ticket right now" in other
    refused = client_for(bob).post(f"/staff/support/tickets/{ticket.pk}/reply", {"body": "Hi"}, follow=True)
    assert "ana is working on this ticket right now" in refused.content.decode()
    assert ticket.messages.count() == 1
    client_for(ana).post(f"/staff/support/tickets/{ticket.pk}/reply", {"body": "Lower the bitrate."})
    assert ticket.messages.count() == 2
    client_for(ana).post(f"/staff/support/tickets/{ticket.pk}/escalate", {"queue": "finance", "note": "billing really"})
    assert Ticket.objects.get(pk=ticket.pk).queue == "finance"
    gone = client_for(bob).get(f"/staff/support/tickets/{ticket.pk}/")
    assert gone.status_code == 403
    client_for(make_user("finance")).post(f"/staff/support/tickets/{ticket.pk}/resolve")
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    timeline = client_for(bob).get(f"/staff/support/people/{mia.pk}/").content.decode()
    assert "Ticket: Stream stutters" in timeline and "Not shown to your role" in timeline


def test_macros_and_articles_are_written_in_the_console_and_audited(make_user: Any) -> None:
    lead = make_user("support_l2")
    client = client_for(lead)
    response = client.post(
        "/staff/support-library/macros/new",
        {
            "title": "Chargeback explained",
            "body": "Hi {name}, a chargeback takes the tokens back.",
            "set_category": "billing",
            "escalate_to": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    macro = Macro.objects.get(title="Chargeback explained")
    assert AuditEntry.objects.get(action="support.macro_saved", target_id=macro.pk).data["changed"] == [
        "active", "body", "close", "escalate_to", "set_category", "title",
    ]  # fmt: skip
    article = HelpArticle.objects.get(slug="privacy")
    client.post(
        f"/staff/support-library/articles/{article.pk}/",
        {
            "title": "Your privacy",
            "slug": "privacy",
            "summary": article.summary,
            "audience": "everyone",
            "body": article.body,
            "published": "on",
        },
    )
    assert HelpArticle.objects.get(pk=article.pk).title == "Your privacy"
    assert AuditEntry.objects.get(action="support.article_saved").data["changed"] == ["title"]
    clash = client.post(
        "/staff/support-library/articles/new",
        {"title": "Copy", "slug": "privacy", "summary": "", "audience": "everyone", "body": "x", "published": "on"},
    )
    assert clash.status_code == 200 and HelpArticle.objects.filter(slug="privacy").count() == 1
