"""A chat line the classifier blocked → stored `blocked` → `chat.message_blocked` on the outbox → a case with an
automated `delete_message` decision and the sender's statement of reasons → appealable; an upheld appeal lets the
line into the room. Blocked lines never show where visible messages are read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from stagedoor.chat import protocol as chat_protocol
from stagedoor.chat import services as chat_services
from stagedoor.chat.models import ChatMessage, ChatModerationAction
from stagedoor.chat.pipeline.sink import STATUS_BLOCKED, ChatRecord, DeletionRecord
from stagedoor.chat.selectors import chat_recent_message_ids, chat_recent_messages
from stagedoor.core.ids import new_id
from stagedoor.core.models import AuditEntry, OutboxDelivery, OutboxEvent
from stagedoor.core.outbox import outbox_dispatch
from stagedoor.moderation import selectors, services
from stagedoor.moderation.errors import ReportTargetNotFound
from stagedoor.moderation.models import Appeal, Case, Decision, StatementOfReasons
from stagedoor.web.tests.console_helpers import client_for

from .conftest import write_message

pytestmark = pytest.mark.django_db

SCAM = "send 500 tokens to unlock my private number"


def _record(room: Any, user: Any, text: str, reason: str, message_id: str) -> ChatRecord:
    return ChatRecord(
        message_id=message_id,
        room=room.slug,
        seq=None,
        user_id=str(user.pk),
        login=user.login,
        role=user.role,
        text=text,
        ts=int(timezone.now().timestamp() * 1000) + 50,
        status=STATUS_BLOCKED,
        reason=reason,
    )


@pytest.fixture
def blocked(
    room: Any, troll: Any, viewer: Any, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> Callable[..., ChatMessage]:
    """`blocked(text, reason)`: two lines of context, then a blocked one stored the way the gateway's batch writer
    stores it; the outbox delivers `chat.message_blocked` after commit."""

    def make(text: str = SCAM, reason: str = "scam") -> ChatMessage:
        write_message(room, viewer, "hello everyone")
        write_message(room, troll, "nice show")
        message_id = new_id()
        with django_capture_on_commit_callbacks(execute=True):
            written = chat_services.chat_messages_write(
                records=[_record(room, troll, text, reason, message_id)], deletions=[]
            )
        assert written == 1
        return ChatMessage.objects.get(pk=message_id)

    return make


def test_a_blocked_line_is_recorded_with_an_automated_decision_and_a_statement(
    blocked: Callable[..., ChatMessage], room: Any, troll: Any
) -> None:
    message = blocked()
    assert (message.status, message.seq, message.reason, message.text) == ("blocked", None, "scam", SCAM)
    [event] = OutboxEvent.objects.filter(topic="chat.message_blocked")
    assert event.payload == {"message_id": message.pk, "room": room.slug, "user_id": troll.pk, "reason": "scam"}
    assert event.dispatched_at is not None
    assert not OutboxEvent.objects.filter(topic="chat.message_held").exists()

    [case] = Case.objects.all()
    assert (case.source, case.category, case.severity, case.status) == ("chat_block", "scam", "high", "decided")
    assert (case.subject_id, case.room_id, case.message_id) == (troll.pk, room.pk, message.pk)
    assert case.decided_at is not None and case.dedupe_key == f"message:{message.pk}"
    assert case.evidence["classifier"] == {"reason": "scam", "action": "block"}
    assert case.evidence["message"]["status"] == "blocked"
    assert [m["text"] for m in case.evidence["context"]] == ["hello everyone", "nice show", SCAM]

    [decision] = Decision.objects.all()
    assert (decision.automated, decision.policy_code, decision.action) == (True, "SCAM-1", "delete_message")
    assert decision.moderator is None
    assert (decision.subject_id, decision.room_id, decision.case_id) == (troll.pk, room.pk, case.pk)
    assert decision.evidence["enforcement"] == {"message": "blocked_by_classifier"}
    s = decision.statement
    assert s.user_id == troll.pk
    assert s.restriction_summary == f"Your chat message in room '{room.slug}' was removed."
    assert (s.decision_visibility, s.category, s.keyword) == (
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
        "KEYWORD_PHISHING",
    )
    assert (s.automated_detection, s.automated_decision, s.source_type, s.content_type) == (
        True,
        True,
        "SOURCE_VOLUNTARY",
        "CONTENT_TYPE_TEXT",
    )
    assert s.facts == (
        "Fake staff, fake verification, phishing and 'send tokens to unlock' offers are not allowed. "
        "We reviewed it because our automated chat classifier blocked the message."
    )
    assert s.content_date == message.created_at
    [audit] = AuditEntry.objects.filter(action="moderation.decided_automatically")
    assert (audit.actor_id, audit.target_id) == ("", case.pk)
    assert audit.data == {
        "decision": decision.pk,
        "policy": "SCAM-1",
        "action": "delete_message",
        "enforcement": {"message": "blocked_by_classifier"},
    }
    decided = OutboxEvent.objects.get(topic="moderation.decided")
    assert decided.payload == {
        "decision_id": decision.pk,
        "case_id": case.pk,
        "action": "delete_message",
        "policy_code": "SCAM-1",
        "automated": True,
        "subject_id": troll.pk,
        "room": room.slug,
    }

    # the sender sees it on /decisions, with the statement, and may appeal it
    body = client_for(troll).get("/api/v1/moderation/decisions").json()
    assert [(d["id"], d["action"], d["policy_code"], d["can_appeal"]) for d in body] == [
        (decision.pk, "delete_message", "SCAM-1", True)
    ]
    assert body[0]["statement"]["automated_decision"] is True
    assert "blocked the message" in client_for(troll).get("/decisions").content.decode()


def test_replays_and_retried_batches_record_it_once(
    blocked: Callable[..., ChatMessage],
    room: Any,
    troll: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = blocked()
    case = Case.objects.get()
    # the same event delivered again, the service called again, and the whole batch written again (which
    # publishes a second event): still one case, one decision, one statement
    event = OutboxEvent.objects.get(topic="chat.message_blocked")
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    OutboxDelivery.objects.filter(event=event).delete()
    assert outbox_dispatch(event.pk) is True
    again = services.case_open_for_blocked_message(message_id=message.pk, reason="scam")
    assert again is not None and again.pk == case.pk
    retried = ChatRecord(
        message_id=message.pk,
        room=room.slug,
        seq=None,
        user_id=str(troll.pk),
        login=troll.login,
        role=troll.role,
        text=SCAM,
        ts=int(message.created_at.timestamp() * 1000),
        status=STATUS_BLOCKED,
        reason="scam",
    )
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.chat_messages_write(records=[retried], deletions=[])
    assert OutboxEvent.objects.filter(topic="chat.message_blocked").count() == 2
    assert (Case.objects.count(), Decision.objects.count(), StatementOfReasons.objects.count()) == (1, 1, 1)
    assert ChatMessage.objects.filter(pk=message.pk).count() == 1
    # a message that is gone, or not blocked, opens nothing
    assert services.case_open_for_blocked_message(message_id=new_id(), reason="scam") is None
    visible = write_message(room, troll, "a normal line")
    assert services.case_open_for_blocked_message(message_id=visible.pk, reason="scam") is None
    assert Case.objects.count() == 1


def test_minor_risk_stays_open_for_a_person_at_critical_priority(
    blocked: Callable[..., ChatMessage], moderator: Any, troll: Any
) -> None:
    message = blocked("how old are you, 14? meet me after school", "minor_risk")
    case = Case.objects.get()
    assert (case.source, case.category, case.status, case.severity, case.severity_rank) == (
        "chat_block",
        "minor_risk",
        "open",
        "critical",
        0,
    )
    assert (case.due_at - case.created_at).total_seconds() == 15 * 60  # the critical SLA
    assert case.graphic is True and case.decided_at is None
    [auto] = case.decisions.all()
    assert (auto.automated, auto.policy_code, auto.action) == (True, "MIN-1", "delete_message")
    assert auto.statement.decision_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
    # it shows in the staff queue, critical, with the blocked line as evidence
    client = client_for(moderator)
    queue = client.get("/staff/queue/")
    assert [r.case.pk for r in queue.context["rows"]] == [case.pk]
    assert f'data-case="{case.pk}" data-severity="critical"' in queue.content.decode()
    page = client.get(f"/staff/queue/cases/{case.pk}/").content.decode()
    assert 'data-testid="target-message"' in page and "how old are you, 14? meet me after school" in page
    # a moderator takes it from the queue and decides what the account needs; the line stays out of the room
    taken = services.case_take_next(actor=moderator)
    assert taken is not None and taken.pk == case.pk
    decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="MIN-1", action="suspend_account")
    assert decision.evidence["enforcement"] == {"account": "suspended"}
    troll.refresh_from_db()
    message.refresh_from_db()
    assert (troll.is_active, message.status) == (False, "blocked")


def test_a_reason_without_a_removal_policy_waits_for_a_person(
    blocked: Callable[..., ChatMessage], moderator: Any
) -> None:
    message = blocked("buy followers now", "spam-burst")
    case = Case.objects.get()
    assert (case.category, case.severity, case.status) == ("other", "low", "open")
    assert not Decision.objects.exists() and not StatementOfReasons.objects.exists()
    decision = services.case_decide(
        actor=moderator, case_id=case.pk, policy_code="SPAM-1", action="delete_message", note="Follower selling."
    )
    assert decision.evidence["enforcement"] == {"message": "already_blocked"}
    message.refresh_from_db()
    assert message.status == "blocked"
    assert decision.statement.automated_decision is False


def test_an_upheld_appeal_lets_the_line_into_the_room(
    blocked: Callable[..., ChatMessage],
    moderator: Any,
    troll: Any,
    room: Any,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = blocked("my snap is kitty_99 add me", "off_platform")
    auto = Decision.objects.get()
    appeal = services.appeal_file(appellant=troll, decision_id=auto.pk, text="It was a joke about a cat.")
    assert Case.objects.get(source="appeal").category == "off_platform"
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(actor=moderator, appeal_id=appeal.pk, outcome="upheld", note="A cat's name.")
    message.refresh_from_db()
    # announced into the room: Redis numbers it (the room's first event); the in-process bus with no gateway running
    # here numbers nothing (test_chat_block_gateway sees it announced to a live room)
    from django.conf import settings

    expected_seq = 1 if settings.STAGEDOOR_FANOUT_BACKEND == "redis" else None
    assert (message.status, message.deleted_at, message.seq) == ("visible", None, expected_seq)
    assert message.deleted_by is None
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.reviewer_id) == ("decided", "upheld", moderator.pk)
    reversal = Decision.objects.get(action="reverse")
    assert (reversal.reverses_id, reversal.moderator_id, reversal.case_id) == (auto.pk, moderator.pk, auto.case_id)
    [restore] = ChatModerationAction.objects.filter(action="restore")
    assert (restore.message_ids, restore.actor_id, restore.policy, restore.data) == (
        [message.pk],
        moderator.pk,
        "appeal_upheld",
        {"was": "blocked"},
    )
    [audit] = AuditEntry.objects.filter(action="chat.restore")
    assert audit.data == {"message": message.pk, "user": troll.pk, "was": "blocked"}
    [decided] = AuditEntry.objects.filter(action="moderation.appeal_decided")
    assert decided.data["undone"] == {"message": "restored_into_room"}
    # now it is an ordinary visible line
    assert [m.pk for m in chat_recent_messages(room)][-1] == message.pk
    body = client_for(troll).get("/api/v1/moderation/decisions").json()
    assert [(d["id"], d["reversed"], d["can_appeal"]) for d in body] == [(auto.pk, True, False)]


def test_a_rejected_appeal_keeps_it_out(blocked: Callable[..., ChatMessage], moderator: Any, troll: Any) -> None:
    message = blocked()
    auto = Decision.objects.get()
    appeal = services.appeal_file(appellant=troll, decision_id=auto.pk, text="I meant it kindly.")
    services.appeal_decide(actor=moderator, appeal_id=appeal.pk, outcome="rejected")
    message.refresh_from_db()
    assert message.status == "blocked"
    assert not Decision.objects.filter(action="reverse").exists()
    assert Appeal.objects.get().outcome == "rejected"


def test_blocked_lines_never_show_where_visible_messages_are_read(
    blocked: Callable[..., ChatMessage], room: Any, troll: Any, viewer: Any, make_user: Any
) -> None:
    message = blocked()
    shown = ["hello everyone", "nice show"]
    assert [m.text for m in chat_recent_messages(room)] == shown
    api = client_for(viewer).get(f"/api/v1/chat/rooms/{room.slug}/messages")
    assert [m["text"] for m in api.json()] == shown
    # the report form lists the room's recent messages: never the blocked one
    form = client_for(make_user("viewer", login="wanda")).get("/report", {"room": room.slug}).content.decode()
    assert "nice show" in form and SCAM not in form and message.pk not in form
    # a report naming it finds nothing, and stores nothing
    with pytest.raises(ReportTargetNotFound):
        services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason="scam")
    assert Case.objects.count() == 1
    # a purge does not pick it up, and a deletion (the gateway's or a moderator's) leaves its record as it is
    assert message.pk not in chat_recent_message_ids(room, str(troll.pk))
    ts = int(timezone.now().timestamp() * 1000)
    chat_services.chat_messages_write(
        records=[], deletions=[DeletionRecord(room.slug, (message.pk,), str(room.performer_id), ts)]
    )
    chat_services.chat_moderate(actor=room.performer, room=room, command=chat_protocol.Delete(message_id=message.pk))
    message.refresh_from_db()
    assert (message.status, message.deleted_at) == ("blocked", None)


def test_transparency_counts_blocks_as_automated(
    blocked: Callable[..., ChatMessage], troll: Any, moderator: Any
) -> None:
    blocked()
    blocked("how old are you, 14? meet me after school", "minor_risk")
    t0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    Case.objects.update(created_at=t0)
    Decision.objects.update(created_at=t0 + timedelta(seconds=2))
    StatementOfReasons.objects.update(application_date=t0 + timedelta(seconds=2))
    start, end = selectors.period_parse("2026-03-01", "2026-03-31")
    report = selectors.transparency_report(start=start, end=end).as_dict()
    assert report == {
        "period": {"start": "2026-03-01T00:00:00+00:00", "end": "2026-04-01T00:00:00+00:00"},
        "decisions": 2,
        "automated_decisions": 2,
        "by_category": {"minor_risk": 1, "scam": 1},
        "by_source": {"automated": 2},
        "by_action": {"delete_message": 2},
        "median_seconds_to_action": 2.0,
        "reports_filed": 0,
        "appeals": {"filed": 0, "decided": 0, "upheld": 0, "rejected": 0},
        "reversals": 0,
        "statements_of_reasons": 2,
    }
    rows = list(selectors.statements_export(start=start, end=end))
    assert [(r["automated_detection"], r["automated_decision"], r["source_type"]) for r in rows] == [
        ("Yes", "AUTOMATED_DECISION_FULLY", "SOURCE_VOLUNTARY"),
        ("Yes", "AUTOMATED_DECISION_FULLY", "SOURCE_VOLUNTARY"),
    ]
