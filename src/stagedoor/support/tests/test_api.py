"""The support API: guests and signed-in requesters, agents by queue, collisions, the queue order, surveys,
onboarding, articles; refusals change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stagedoor.support import services, tokens
from stagedoor.support.models import Ticket, TicketMessage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_a_guest_opens_a_ticket_with_an_address_only() -> None:
    client = client_for()
    refused = post(
        client, "/api/v1/support/tickets", {"subject": "Locked out", "body": "Cannot sign in", "category": "account"}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "support.email_required")
    assert Ticket.objects.count() == 0
    made = post(
        client,
        "/api/v1/support/tickets",
        {"subject": "Locked out", "body": "Cannot sign in", "category": "account", "email": "guest@example.test"},
    )
    assert made.status_code == 201
    assert (made.json()["queue"], made.json()["priority"], made.json()["messages"][0]["body"]) == (
        "l1",
        "high",
        "Cannot sign in",
    )
    bad = post(
        client, "/api/v1/support/tickets", {"subject": "x", "body": "y", "email": "g@example.test", "channel": "email"}
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "support.ticket_invalid")
    unknown = post(
        client, "/api/v1/support/tickets", {"subject": "x", "body": "y", "email": "g@example.test", "category": "nope"}
    )
    assert unknown.json()["extra"]["fields"]["category"]
    assert Ticket.objects.count() == 1


def test_requesters_see_only_their_tickets_and_agents_only_their_queues(make_user: Any) -> None:
    mia, other = make_user("viewer"), make_user("viewer")
    l1, finance = make_user("support_l1", mfa=True), make_user("finance", mfa=True)
    made = post(
        client_for(mia),
        "/api/v1/support/tickets",
        {"subject": "Refund", "body": "Please refund", "category": "billing"},
    ).json()
    url = f"/api/v1/support/tickets/{made['id']}"
    assert client_for(mia).get(url).status_code == 200
    assert client_for(other).get(url).json()["code"] == "support.ticket_not_found"
    assert (client_for(l1).get(url).status_code, client_for(l1).get(url).json()["code"]) == (
        403,
        "support.queue_forbidden",
    )
    assert client_for(finance).get(url).status_code == 200
    assert [t["id"] for t in client_for(mia).get("/api/v1/support/tickets").json()] == [made["id"]]
    assert client_for(other).get("/api/v1/support/tickets").json() == []


def test_agent_reply_lock_and_collision_over_the_api(make_user: Any) -> None:
    mia = make_user("viewer")
    first, second = make_user("support_l1", mfa=True), make_user("support_l2", mfa=True)
    ticket = post(
        client_for(mia),
        "/api/v1/support/tickets",
        {"subject": "Stutter", "body": "It stutters", "category": "technical"},
    ).json()
    lock = post(client_for(first), f"/api/v1/support/tickets/{ticket['id']}/lock", {}).json()
    assert (lock["held"], lock["locked_by_login"]) == (True, first.login)
    seen = post(client_for(second), f"/api/v1/support/tickets/{ticket['id']}/lock", {}).json()
    assert (seen["held"], seen["locked_by_login"]) == (False, first.login)
    refused = post(client_for(second), f"/api/v1/support/tickets/{ticket['id']}/messages", {"body": "Me too"})
    assert (refused.status_code, refused.json()["code"], refused.json()["extra"]["locked_by"]) == (
        409,
        "support.ticket_locked",
        first.login,
    )
    assert TicketMessage.objects.filter(ticket_id=ticket["id"]).count() == 1
    forced = post(
        client_for(second), f"/api/v1/support/tickets/{ticket['id']}/messages", {"body": "Me too", "force": True}
    )
    assert forced.status_code == 201
    note = post(
        client_for(first),
        f"/api/v1/support/tickets/{ticket['id']}/messages",
        {"body": "internal", "internal": True, "force": True},
    )
    assert note.json()["internal"] is True
    as_requester = client_for(mia).get(f"/api/v1/support/tickets/{ticket['id']}").json()
    assert [m["body"] for m in as_requester["messages"]] == ["It stutters", "Me too"]
    assert as_requester["assignee_login"] is None  # who works it is staff's business
    as_agent = client_for(first).get(f"/api/v1/support/tickets/{ticket['id']}").json()
    assert [m["body"] for m in as_agent["messages"]] == ["It stutters", "Me too", "internal"]


def test_the_queue_is_most_urgent_first(make_user: Any) -> None:
    l2 = make_user("support_l2", mfa=True)
    for subject, category in (("low one", "other"), ("account one", "account"), ("safety one", "safety")):
        services.ticket_open(
            requester=None,
            request=services.OpenRequest(subject=subject, body="b", email="g@example.test", category=category),
        )
    page = client_for(l2).get("/api/v1/support/queue").json()
    assert [t["subject"] for t in page["tickets"]] == ["account one", "safety one", "low one"]
    assert page["total"] == 3 and page["pages"] == 1
    only_l2 = client_for(l2).get("/api/v1/support/queue?queue=l2").json()
    assert [t["subject"] for t in only_l2["tickets"]] == ["safety one"]


def test_escalate_assign_resolve_and_survey(make_user: Any) -> None:
    l1, l2 = make_user("support_l1", mfa=True), make_user("support_l2", mfa=True)
    ticket = services.ticket_open(
        requester=None,
        request=services.OpenRequest(subject="s", body="b", email="g@example.test", category="technical"),
    )
    bad = post(client_for(l1), f"/api/v1/support/tickets/{ticket.pk}/escalate", {"queue": "nowhere", "note": "x"})
    assert bad.status_code == 422
    assigned = post(client_for(l1), f"/api/v1/support/tickets/{ticket.pk}/assign", {"assignee_id": l2.pk})
    assert assigned.json()["assignee_login"] == l2.login
    escalated = post(client_for(l1), f"/api/v1/support/tickets/{ticket.pk}/escalate", {"queue": "l2", "note": "logs"})
    assert escalated.json()["queue"] == "l2"
    assert post(client_for(l2), f"/api/v1/support/tickets/{ticket.pk}/resolve", {}).json()["status"] == "resolved"
    again = post(client_for(l2), f"/api/v1/support/tickets/{ticket.pk}/resolve", {})
    assert (again.status_code, again.json()["code"]) == (409, "support.ticket_closed")
    token = tokens.survey_token(ticket.pk)
    assert post(client_for(), f"/api/v1/support/surveys/{token}", {"score": 6}).status_code == 422
    assert post(client_for(), f"/api/v1/support/surveys/{token}", {"score": 4, "comment": "ok"}).json() == {
        "ticket_id": ticket.pk,
        "score": 4,
    }
    assert post(client_for(), "/api/v1/support/surveys/forged", {"score": 4}).json()["code"] == "support.survey_invalid"


def test_suggestions_onboarding_and_articles(make_user: Any) -> None:
    l1 = make_user("support_l1", mfa=True)
    ticket = services.ticket_open(
        requester=None,
        request=services.OpenRequest(
            subject="Tokens missing", body="I paid but my tokens did not arrive", email="g@example.test"
        ),
    )
    found = client_for(l1).get(f"/api/v1/support/tickets/{ticket.pk}/suggestions").json()
    assert found["suggestions"][0]["title"] == "Tokens did not arrive" and found["stream_advice"] == []
    performer = make_user("performer", mfa=True)
    steps = client_for(performer).get("/api/v1/support/onboarding").json()
    assert (steps["done"], steps["total"]) == (1, 5)
    articles = client_for().get("/api/v1/support/articles?q=privacy").json()
    assert articles[0]["slug"] == "privacy"
    assert client_for().get("/api/v1/support/articles/obs-setup").json()["title"] == "Set up OBS for streaming"
    assert client_for().get("/api/v1/support/articles/nope").json()["code"] == "support.article_not_found"
