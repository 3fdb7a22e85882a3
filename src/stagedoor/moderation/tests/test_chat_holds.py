"""A held chat message → the outbox → a case with the message and its context → a decision that lets it into
the room (dismiss) or keeps it out (delete), through chat's own services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat.models import ChatMessage, ChatModerationAction
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.moderation import services
from stagedoor.moderation.models import Case, Decision, StatementOfReasons

from .conftest import write_message

pytestmark = pytest.mark.django_db


def test_a_held_message_opens_one_case_with_its_context(
    held: Callable[..., tuple[ChatMessage, Case]], room: Any, troll: Any
) -> None:
    message, case = held("are you 15? lets meet after school", "minor_risk")
    [event] = OutboxEvent.objects.filter(topic="chat.message_held")
    assert event.payload == {"message_id": message.pk, "room": room.slug, "user_id": troll.pk, "reason": "minor_risk"}
    assert event.dispatched_at is not None
    assert (case.source, case.category, case.severity, case.graphic) == ("chat_hold", "minor_risk", "critical", True)
    assert (case.subject_id, case.room_id, case.message_id, case.status) == (troll.pk, room.pk, message.pk, "open")
    assert case.dedupe_key == f"message:{message.pk}"
    assert (case.due_at - case.created_at).total_seconds() == 15 * 60  # the critical SLA
    assert case.evidence["message"]["text"] == "are you 15? lets meet after school"
    assert [m["text"] for m in case.evidence["context"]] == [
        "hello everyone",
        "nice show",
        "are you 15? lets meet after school",
    ]
    assert case.evidence["classifier"] == {"reason": "minor_risk"}
    # the same event again (a replay, a retried batch) finds the same case
    again = services.case_open_for_held_message(message_id=message.pk, reason="minor_risk")
    assert again is not None and again.pk == case.pk
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.hits == 2


def test_an_unknown_reason_is_category_other(held: Callable[..., tuple[ChatMessage, Case]]) -> None:
    _, case = held("buy followers now", "spam-burst")
    assert (case.category, case.severity, case.graphic) == ("other", "low", False)


def test_dismissing_a_hold_lets_the_message_into_the_room(
    held: Callable[..., tuple[ChatMessage, Case]], moderator: Any, on_commit: None
) -> None:
    message, case = held("my grade? i am a senior at uni", "minor_risk")
    services.case_claim(actor=moderator, case_id=case.pk)
    decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="NONE-0", action="dismiss")
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.VISIBLE
    assert decision.evidence["enforcement"] == {"message": "approved"}
    [chat_action] = ChatModerationAction.objects.filter(action="approve")
    assert chat_action.message_ids == [message.pk] and chat_action.actor_id == moderator.pk
    case.refresh_from_db()
    assert case.status == "decided" and case.decided_at is not None
    assert not StatementOfReasons.objects.exists()  # nobody was restricted
    assert [e.action for e in AuditEntry.objects.order_by("seq")][-3:] == [
        "moderation.case_claimed",
        "chat.approve",
        "moderation.decided",
    ]


def test_deleting_a_hold_rejects_it_and_tells_the_author_why(
    held: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any, room: Any
) -> None:
    message, case = held("send 500 tokens to unlock my private number", "scam")
    decision = services.case_decide(
        actor=moderator, case_id=case.pk, policy_code="SCAM-1", action="delete_message", note="Token bait."
    )
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.DELETED and message.deleted_by_id == moderator.pk
    assert decision.evidence["enforcement"] == {"message": "rejected"}
    s = decision.statement
    assert s.user_id == troll.pk
    assert s.restriction_summary == f"Your chat message in room '{room.slug}' was removed."
    assert (s.decision_visibility, s.decision_ground, s.category) == (
        "DECISION_VISIBILITY_CONTENT_REMOVED",
        "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    )
    assert (s.automated_detection, s.automated_decision, s.content_type) == (True, False, "CONTENT_TYPE_TEXT")
    assert s.source_type == "SOURCE_VOLUNTARY"
    assert s.facts == (
        "Fake staff, fake verification, phishing and 'send tokens to unlock' offers are not allowed. "
        "We reviewed it because our automated chat classifier held the message before anyone saw it. Token bait."
    )
    assert s.content_date == message.created_at
    assert "within 14 days" in s.redress


def test_a_second_message_of_the_room_is_its_own_case(
    held: Callable[..., tuple[ChatMessage, Case]], room: Any, troll: Any
) -> None:
    _, first = held("text me on the other app", "off_platform")
    _, second = held("text me on the other app again", "off_platform")
    assert first.pk != second.pk
    assert write_message(room, troll, "a normal line").status == "visible"
    assert Case.objects.count() == 2 and not Decision.objects.exists()
