"""Opening, routing, answering, locking, escalating and resolving tickets; surveys and their results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.moderation.models import Case
from stagedoor.payments.models import Purchase
from stagedoor.rooms.models import ScheduledShow
from stagedoor.rooms.services import room_for_performer
from stagedoor.support import errors, selectors, services, tokens
from stagedoor.support.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db


def open_ticket(requester: Any = None, **fields: Any) -> Ticket:
    request = services.OpenRequest(
        subject=fields.pop("subject", "My stream keeps stuttering"),
        body=fields.pop("body", "Since yesterday my stream stutters every few seconds."),
        **fields,
    )
    return services.ticket_open(requester=requester, request=request)


def purchase_of(user: Any, key: str = "p1") -> Purchase:
    return Purchase.objects.create(
        buyer=user,
        tokens=100,
        price_minor=999,
        currency="EUR",
        provider="sandbox",
        idempotency_key=key,
        request_hash="x",
    )


def test_guest_opens_a_ticket_and_gets_an_acknowledgement_with_the_reply_address(committed: Any) -> None:
    ticket = committed(
        lambda: open_ticket(email="Guest.Person@Example.test", name="Guest Person", category="technical")
    )
    assert ticket.requester is None
    assert ticket.requester_email == "guest.person@example.test"
    assert (ticket.queue, ticket.priority, ticket.status) == ("l1", "normal", "new")
    assert ticket.first_response_due > ticket.created_at
    [ack] = mail.outbox
    assert ack.to == ["guest.person@example.test"]
    assert ack.reply_to == [tokens.reply_address(ticket.pk)]
    assert ack.extra_headers["Auto-Submitted"] == "auto-replied"
    assert OutboxEvent.objects.filter(topic="support.ticket_opened", payload__ticket_id=ticket.pk).count() == 1


def test_a_guest_without_an_address_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(errors.GuestEmailRequired):
        open_ticket(email="")
    with pytest.raises(errors.TicketInvalid) as bad:
        open_ticket(email="not-an-address")
    assert bad.value.extra["fields"]["email"]
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0 and mail.outbox == []


def test_routing_by_category_and_language(make_user: Any) -> None:
    viewer = make_user("viewer")
    assert (open_ticket(viewer, category="billing").queue, open_ticket(viewer, category="verification").queue) == (
        "finance",
        "compliance",
    )
    safety = open_ticket(viewer, category="safety")
    assert (safety.queue, safety.priority) == ("l2", "high")
    assert open_ticket(viewer, category="account").priority == "high"
    assert open_ticket(viewer, category="technical", language="de").queue == "l2"  # tier 1 answers English


def test_a_billing_ticket_links_one_of_the_requesters_purchases(make_user: Any) -> None:
    viewer, other = make_user("viewer"), make_user("viewer")
    mine = purchase_of(viewer, "mine")
    theirs = purchase_of(other, "theirs")
    ticket = open_ticket(viewer, category="billing", purchase_id=mine.pk, subject="Tokens missing")
    assert ticket.purchase_id == mine.pk and ticket.channel == "web"
    with pytest.raises(errors.PurchaseNotFound):
        open_ticket(viewer, category="billing", purchase_id=theirs.pk)
    assert Ticket.objects.count() == 1


def test_a_safety_report_becomes_a_moderation_case(make_user: Any) -> None:
    viewer = make_user("viewer")
    ticket = open_ticket(viewer, category="safety", subject="Someone threatens me", body="User x threatens me in DMs")
    case = Case.objects.get(pk=ticket.moderation_case_id)
    assert (case.source, case.category, case.dedupe_key) == ("user_report", "other", f"support:{ticket.pk}")
    assert case.evidence["reports"][0]["text"] == "User x threatens me in DMs"


def test_a_performer_writing_during_their_scheduled_show_gets_priority(make_user: Any) -> None:
    performer = make_user("performer")
    room = room_for_performer(performer=performer)
    ScheduledShow.objects.create(room=room, starts_at=timezone.now() - timedelta(minutes=10), duration_minutes=60)
    ticket = open_ticket(performer, category="technical")
    assert (ticket.priority, ticket.during_show, ticket.priority_rank) == ("urgent", True, 0)
    later = make_user("performer")
    room_for_performer(performer=later)
    assert open_ticket(later, category="technical").priority == "normal"


def test_an_agent_reply_is_mailed_with_the_conversation_and_audited(make_user: Any, committed: Any) -> None:
    viewer, agent = make_user("viewer"), make_user("support_l1")
    ticket = open_ticket(viewer, category="technical")
    mail.outbox.clear()
    committed(
        lambda: services.ticket_reply(actor=agent, ticket_id=ticket.pk, body="Please lower your bitrate to 3500 Kbps.")
    )
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.first_responded_at is not None and ticket.assignee == agent
    [reply] = mail.outbox
    assert reply.to == [viewer.email] and reply.reply_to == [tokens.reply_address(ticket.pk)]
    assert "> Please lower your bitrate to 3500 Kbps." in reply.body
    assert "> Since yesterday my stream stutters every few seconds." in reply.body
    assert "Auto-Submitted" not in reply.extra_headers
    assert AuditEntry.objects.filter(action="support.reply", target_id=ticket.pk, actor_id=agent.pk).count() == 1


def test_an_internal_note_is_not_mailed_nor_shown_to_the_requester(make_user: Any, committed: Any) -> None:
    viewer, agent = make_user("viewer"), make_user("support_l1")
    ticket = open_ticket(viewer, category="technical")
    mail.outbox.clear()
    committed(
        lambda: services.ticket_reply(
            actor=agent, ticket_id=ticket.pk, body="Looks like an encoder overload.", internal=True
        )
    )
    assert mail.outbox == []
    assert [m.body for m in selectors.ticket_messages(ticket, include_internal=False)] == [
        "Since yesterday my stream stutters every few seconds."
    ]


def test_two_agents_cannot_reply_at_once_without_seeing_it(make_user: Any) -> None:
    viewer, first, second = make_user("viewer"), make_user("support_l1"), make_user("support_l2")
    ticket = open_ticket(viewer, category="technical")
    _, other = services.ticket_lock(actor=first, ticket_id=ticket.pk)
    assert other is None
    _, other = services.ticket_lock(actor=second, ticket_id=ticket.pk)
    assert other == first  # the second agent sees who is on it, and does not take the lock
    before = TicketMessage.objects.count()
    with pytest.raises(errors.TicketLocked) as locked:
        services.ticket_reply(actor=second, ticket_id=ticket.pk, body="Hello from the second agent")
    assert locked.value.extra["locked_by"] == first.login
    assert TicketMessage.objects.count() == before
    services.ticket_reply(actor=second, ticket_id=ticket.pk, body="Hello from the second agent", force=True)
    entry = AuditEntry.objects.get(action="support.reply", actor_id=second.pk)
    assert entry.data["forced"] is True


def test_an_expired_lock_does_not_block(make_user: Any) -> None:
    viewer, first, second = make_user("viewer"), make_user("support_l1"), make_user("support_l1")
    ticket = open_ticket(viewer, category="technical")
    services.ticket_lock(
        actor=first, ticket_id=ticket.pk, now=timezone.now() - timedelta(seconds=services.LOCK_SECONDS + 1)
    )
    services.ticket_reply(actor=second, ticket_id=ticket.pk, body="Taking over.")
    assert Ticket.objects.get(pk=ticket.pk).locked_by == second


def test_escalation_moves_the_ticket_with_a_note_and_l1_loses_it(make_user: Any) -> None:
    viewer, l1, l2 = make_user("viewer"), make_user("support_l1"), make_user("support_l2")
    ticket = open_ticket(viewer, category="technical")
    services.ticket_escalate(actor=l1, ticket_id=ticket.pk, to_queue="l2", note="Needs a look at the ingest logs")
    ticket.refresh_from_db()
    assert ticket.queue == "l2"
    note = TicketMessage.objects.get(ticket=ticket, internal=True)
    assert note.body == "Escalated from Tier 1 to Tier 2: Needs a look at the ingest logs"
    assert AuditEntry.objects.get(action="support.escalate").data == {
        "from": "l1",
        "to": "l2",
        "note": "Needs a look at the ingest logs",
    }
    with pytest.raises(errors.QueueNotAllowed):
        selectors.access_ticket(l1, ticket.pk)
    assert selectors.access_ticket(l2, ticket.pk) == ticket
    assert [t.pk for t in selectors.queue_page(l1).tickets] == []
    assert [t.pk for t in selectors.queue_page(l2).tickets] == [ticket.pk]


def test_specialist_queues_are_theirs(make_user: Any) -> None:
    viewer = make_user("viewer")
    billing = open_ticket(viewer, category="billing")
    assert selectors.may_work(make_user("finance"), billing)
    assert not selectors.may_work(make_user("support_l1"), billing)
    assert not selectors.may_work(make_user("compliance"), billing)
    assert not selectors.is_agent(make_user("moderator"))


def test_resolve_sends_the_survey_and_the_answer_counts_once(make_user: Any, committed: Any) -> None:
    viewer, agent = make_user("viewer"), make_user("support_l1", login="agent_ana")
    ticket = open_ticket(viewer, category="technical")
    services.ticket_reply(actor=agent, ticket_id=ticket.pk, body="Fixed on our side.")
    mail.outbox.clear()
    committed(lambda: services.ticket_resolve(actor=agent, ticket_id=ticket.pk))
    [closing] = mail.outbox
    token = closing.body.split("/support/survey/")[1].split()[0]
    assert tokens.survey_ticket_id(token) == ticket.pk
    answered = services.survey_answer(token=token, score=5, comment="Quick and kind")
    assert (answered.csat_score, answered.csat_agent) == (5, agent)
    with pytest.raises(errors.SurveyAnswered):
        services.survey_answer(token=token, score=1)
    with pytest.raises(errors.SurveyInvalid):
        services.survey_answer(token=token + "x", score=1)
    per_agent, per_category = selectors.csat_results()
    assert [(r.label, r.answers, r.average, r.satisfied_pct) for r in per_agent] == [("agent_ana", 1, 5.0, 100)]
    assert [(r.label, r.answers) for r in per_category] == [("technical", 1)]


def test_the_requester_reopens_by_replying(make_user: Any) -> None:
    viewer, agent = make_user("viewer"), make_user("support_l1")
    ticket = open_ticket(viewer, category="technical")
    services.ticket_resolve(actor=agent, ticket_id=ticket.pk)
    services.ticket_reply(actor=viewer, ticket_id=ticket.pk, body="It happens again.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == ("open", None)


def test_a_moderation_decision_is_noted_on_the_safety_ticket(make_user: Any) -> None:
    viewer = make_user("viewer")
    ticket = open_ticket(viewer, category="safety")
    assert services.case_decision_note(case_id=ticket.moderation_case_id, action="suspend_account") == 1
    note = TicketMessage.objects.get(ticket=ticket, author_kind="system")
    assert note.internal and "suspend_account" in note.body


def test_too_many_tickets_from_one_address_are_refused() -> None:
    for i in range(10):
        open_ticket(email="busy@example.test", subject=f"Request {i}")
    with pytest.raises(errors.TooManyTickets):
        open_ticket(email="busy@example.test")
    assert Ticket.objects.count() == 10


def test_a_guest_follows_and_answers_on_the_signed_link(committed: Any) -> None:

    from stagedoor.web.tests.console_helpers import client_for

    ticket = committed(lambda: open_ticket(email="guest@example.test", category="technical"))
    [ack] = mail.outbox
    link = ack.body.split("http://127.0.0.1:8000")[1].split()[0].rstrip(".")
    assert link.startswith("/support/t/")
    client = client_for(None)
    page = client.get(link)
    assert page.status_code == 200 and "Since yesterday my stream stutters" in page.content.decode()
    assert client.post(link, {"body": "Still broken tonight."}).status_code == 302
    assert [m.body for m in ticket.messages.all()][-1] == "Still broken tonight."
    assert client.get(link + "x").status_code == 404
    assert client.get(f"/support/t/{tokens.view_token('01AAAAAAAAAAAAAAAAAAAAAAAA')}").status_code == 404
