"""Reports (dedupe, joining the open case, the flood limit, bad targets) and appeals (once, within the window,
a different moderator, upheld ones reverse a room ban, a deleted message and a suspension)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from stagedoor.chat.models import ChatMessage, ChatRestriction
from stagedoor.core.models import AuditEntry
from stagedoor.moderation import selectors, services
from stagedoor.moderation.errors import (
    AppealExists,
    AppealNotAppealable,
    AppealSameModerator,
    AppealWindowClosed,
    DecisionNotFound,
    ReportInvalid,
    ReportRateLimited,
    ReportTargetNotFound,
)
from stagedoor.moderation.models import Appeal, Case, Decision, Report, Sanction

from .conftest import set_cases_config, write_message

pytestmark = pytest.mark.django_db


# --- reports -----------------------------------------------------------------------------------------------


def test_reports_of_one_message_join_one_case(room: Any, troll: Any, viewer: Any, make_user: Any) -> None:
    message = write_message(room, troll, "you are worthless")
    first = services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason="harassment")
    again = services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason="spam")
    assert again.pk == first.pk and Report.objects.count() == 1  # the same reporter again: their first report
    other = make_user("viewer", login="olga")
    second = services.report_file(
        reporter=other, target_kind="message", target_id=message.pk, reason="harassment", text="  Targeted abuse.  "
    )
    assert second.case_id == first.case_id and second.text == "Targeted abuse."
    case = Case.objects.get()
    assert (case.source, case.category, case.subject_id, case.room_id, case.hits) == (
        "user_report",
        "harassment",
        troll.pk,
        room.pk,
        2,
    )
    assert [r["id"] for r in case.evidence["reports"]] == [first.pk, second.pk]
    assert case.evidence["message"]["text"] == "you are worthless"
    # a room report and a person report are cases of their own; a room's subject is its performer
    by_room = services.report_file(reporter=viewer, target_kind="room", target_id=room.slug, reason="other")
    assert by_room.target_id == room.pk and by_room.case is not None
    assert by_room.case.subject_id == room.performer_id
    by_login = services.report_file(reporter=viewer, target_kind="user", target_id="TOM_TROLL", reason="impersonation")
    assert by_login.target_id == troll.pk and by_login.case is not None and by_login.case.message_id is None
    assert Case.objects.count() == 3


def test_bad_reports_are_refused_and_store_nothing(room: Any, troll: Any, viewer: Any) -> None:
    message = write_message(room, troll, "hi")
    with pytest.raises(ReportInvalid, match="Choose one of"):
        services.report_file(reporter=viewer, target_kind="message", target_id=message.pk, reason="vibes")
    with pytest.raises(ReportInvalid, match="at most 2000"):
        services.report_file(
            reporter=viewer, target_kind="message", target_id=message.pk, reason="spam", text="x" * 2001
        )
    with pytest.raises(ReportTargetNotFound):
        services.report_file(reporter=viewer, target_kind="message", target_id="01NOPE", reason="spam")
    with pytest.raises(ReportInvalid, match="yourself"):
        services.report_file(reporter=troll, target_kind="message", target_id=message.pk, reason="spam")
    with pytest.raises(ReportInvalid, match="a message, a room or a user"):
        services.report_file(reporter=viewer, target_kind="planet", target_id="x", reason="spam")
    assert not Report.objects.exists() and not Case.objects.exists()


def test_a_report_flood_from_one_account_is_rate_limited(settings: Any, room: Any, troll: Any, viewer: Any) -> None:
    set_cases_config(settings, reports_per_hour=3)
    messages = [write_message(room, troll, f"line {i}") for i in range(5)]
    for m in messages[:3]:
        services.report_file(reporter=viewer, target_kind="message", target_id=m.pk, reason="spam")
    with pytest.raises(ReportRateLimited) as refused:
        services.report_file(reporter=viewer, target_kind="message", target_id=messages[3].pk, reason="spam")
    assert (refused.value.code, refused.value.status, refused.value.retry_after) == (
        "moderation.report_rate_limited",
        429,
        600,
    )
    assert Report.objects.count() == 3 and Case.objects.count() == 3
    # an hour later the reporter may report again
    Report.objects.update(created_at=Report.objects.first().created_at - timedelta(minutes=61))  # type: ignore[union-attr]
    services.report_file(reporter=viewer, target_kind="message", target_id=messages[4].pk, reason="spam")
    assert Report.objects.count() == 4


def test_dismissing_tells_the_reporter(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, viewer: Any
) -> None:
    _, case = report_case("that goal is wild", "harassment")
    services.case_decide(actor=moderator, case_id=case.pk, policy_code="NONE-0", action="dismiss")
    [report] = selectors.reports_of(viewer)
    assert (report.status, report.outcome) == (
        "dismissed",
        "We reviewed it and took no action: it does not break our rules.",
    )
    assert report.resolved_at is not None


# --- appeals -----------------------------------------------------------------------------------------------


def _banned(report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any) -> tuple[ChatMessage, Decision]:
    message, case = report_case("you are worthless", "harassment")
    services.case_decide(actor=moderator, case_id=case.pk, policy_code="HAR-1", action="delete_message")
    decision = services.case_decide(
        actor=moderator,
        case_id=services.case_open(source="staff", category="harassment", subject=case.subject, room=case.room)[0].pk,
        policy_code="HAR-1",
        action="ban_from_room",
    )
    return message, decision


def test_appeal_once_within_the_window(
    settings: Any, report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any, viewer: Any
) -> None:
    _, decision = _banned(report_case, moderator)
    appeal = services.appeal_file(appellant=troll, decision_id=decision.pk, text="It was a joke between friends.")
    assert appeal.case is not None
    assert (appeal.case.source, appeal.case.category, appeal.case.severity) == ("appeal", "harassment", "medium")
    with pytest.raises(AppealExists) as second:
        services.appeal_file(appellant=troll, decision_id=decision.pk, text="Please!")
    assert second.value.code == "moderation.appeal_exists"
    with pytest.raises(DecisionNotFound):  # someone else's decision is not theirs to appeal (nor to see)
        services.appeal_file(appellant=viewer, decision_id=decision.pk, text="On their behalf")
    assert Appeal.objects.count() == 1
    # a dismissal restricts nobody; an old decision is past the window
    _, other = report_case("fine", "spam")
    dismissal = services.case_decide(actor=moderator, case_id=other.pk, policy_code="NONE-0", action="dismiss")
    with pytest.raises(AppealNotAppealable):
        services.appeal_file(appellant=troll, decision_id=dismissal.pk, text="?")
    set_cases_config(settings, appeal_days=14)
    _, late = _banned(report_case, moderator)
    Decision.objects.filter(pk=late.pk).update(created_at=late.created_at - timedelta(days=15))
    with pytest.raises(AppealWindowClosed):
        services.appeal_file(appellant=troll, decision_id=late.pk, text="Too late?")
    assert Appeal.objects.count() == 1


def test_the_deciding_moderator_cannot_review_the_appeal(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any
) -> None:
    _, decision = _banned(report_case, moderator)
    appeal = services.appeal_file(appellant=troll, decision_id=decision.pk, text="Unfair.")
    audit = AuditEntry.objects.count()
    with pytest.raises(AppealSameModerator) as refused:
        services.appeal_decide(actor=moderator, appeal_id=appeal.pk, outcome="upheld")
    assert refused.value.code == "moderation.appeal_same_moderator" and refused.value.status == 403
    assert appeal.case is not None
    with pytest.raises(AppealSameModerator):
        services.case_claim(actor=moderator, case_id=appeal.case.pk)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome) == ("open", "") and appeal.reviewer_id is None
    assert AuditEntry.objects.count() == audit
    assert ChatRestriction.objects.filter(kind="ban", lifted_at__isnull=True).count() == 1
    assert selectors.appeals_queue_for(moderator) == []
    assert selectors.case_next_for(moderator) is None


def test_an_upheld_appeal_lifts_the_ban_and_restores_the_message(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, troll: Any, room: Any
) -> None:
    message, ban = _banned(report_case, moderator)
    removal = Decision.objects.get(action="delete_message")
    ban_appeal = services.appeal_file(appellant=troll, decision_id=ban.pk, text="I was quoting a song.")
    removal_appeal = services.appeal_file(appellant=troll, decision_id=removal.pk, text="Same, a lyric.")
    assert [a.pk for a in selectors.appeals_queue_for(moderator2)] == [ban_appeal.pk, removal_appeal.pk]
    services.appeal_decide(actor=moderator2, appeal_id=ban_appeal.pk, outcome="upheld", note="Song lyrics.")
    assert not ChatRestriction.objects.filter(room=room, user=troll, lifted_at__isnull=True).exists()
    reversal = Decision.objects.get(action="reverse", reverses=ban)
    assert (reversal.moderator_id, reversal.note, reversal.subject_id) == (moderator2.pk, "Song lyrics.", troll.pk)
    sanction = Sanction.objects.get(decision=ban)
    assert sanction.lifted_by_id == reversal.pk and sanction.lifted_at is not None
    services.appeal_decide(actor=moderator2, appeal_id=removal_appeal.pk, outcome="upheld")
    message.refresh_from_db()
    assert message.status == "visible" and message.deleted_at is None and message.deleted_by_id is None
    ban_appeal.refresh_from_db()
    assert (ban_appeal.status, ban_appeal.outcome, ban_appeal.reviewer_id) == ("decided", "upheld", moderator2.pk)
    assert ban_appeal.case is not None and ban_appeal.case.status == "decided"
    [view_ban, _view_removal] = sorted(selectors.decisions_about(troll), key=lambda v: v.decision.action)
    assert view_ban.reversed and not view_ban.can_appeal and view_ban.appeal is not None
    entry = AuditEntry.objects.filter(action="moderation.appeal_decided").order_by("seq").first()
    assert entry is not None and entry.data["undone"] == {"chat": "lifted"}


def test_an_upheld_appeal_reactivates_a_suspended_account(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, troll: Any
) -> None:
    _, case = report_case("pay me on the side app", "scam")
    suspension = services.case_decide(actor=moderator, case_id=case.pk, policy_code="SCAM-1", action="suspend_account")
    troll.refresh_from_db()
    assert troll.is_active is False
    appeal = services.appeal_file(appellant=troll, decision_id=suspension.pk, text="My account was hacked.")
    services.appeal_decide(actor=moderator2, appeal_id=appeal.pk, outcome="upheld", note="Confirmed: hacked.")
    troll.refresh_from_db()
    assert troll.is_active is True
    reversal = Decision.objects.get(action="reverse")
    assert Sanction.objects.get(decision=suspension).lifted_by_id == reversal.pk
    [entry] = AuditEntry.objects.filter(action="moderation.appeal_decided")
    assert entry.data == {
        "decision": suspension.pk,
        "outcome": "upheld",
        "reversal": reversal.pk,
        "undone": {"account": "reactivated"},
    }


def test_a_rejected_appeal_changes_nothing_and_a_second_suspension_still_holds(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any, troll: Any
) -> None:
    _, first_case = report_case("pay me on the side app", "scam")
    first = services.case_decide(actor=moderator, case_id=first_case.pk, policy_code="SCAM-1", action="suspend_account")
    rejected = services.appeal_file(appellant=troll, decision_id=first.pk, text="My account was hacked.")
    services.appeal_decide(actor=moderator2, appeal_id=rejected.pk, outcome="rejected", note="Same device as before.")
    rejected.refresh_from_db()
    assert (rejected.status, rejected.outcome, rejected.reviewer_note) == (
        "decided",
        "rejected",
        "Same device as before.",
    )
    troll.refresh_from_db()
    assert troll.is_active is False and not Decision.objects.filter(action="reverse").exists()
    # a second suspension reversed on appeal does not lift the first one
    _, second_case = report_case("again", "scam")
    second = services.case_decide(
        actor=moderator, case_id=second_case.pk, policy_code="SCAM-1", action="suspend_account"
    )
    upheld = services.appeal_file(appellant=troll, decision_id=second.pk, text="Hacked, really.")
    services.appeal_decide(actor=moderator2, appeal_id=upheld.pk, outcome="upheld")
    troll.refresh_from_db()
    assert troll.is_active is False
    assert Sanction.objects.get(decision=first).lifted_at is None
    assert Sanction.objects.get(decision=second).lifted_at is not None
    with pytest.raises(Exception, match="already decided"):
        services.appeal_decide(actor=moderator2, appeal_id=rejected.pk, outcome="upheld")
