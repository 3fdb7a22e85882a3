"""The statement of reasons (DSA Art. 17) written with every restrictive decision, for the person it affects."""

from __future__ import annotations

from datetime import datetime

from django.utils.dateparse import parse_datetime

from stagedoor.accounts.roles import Role
from stagedoor.moderation import policies as P
from stagedoor.moderation.models import Case, Decision, StatementOfReasons

AUTOMATED_SOURCES = frozenset(
    {Case.Source.CHAT_HOLD, Case.Source.CHAT_BLOCK, Case.Source.FRAME_FLAG, Case.Source.HASH_MATCH}
)
DETECTED_BY: dict[str, str] = {
    Case.Source.CHAT_HOLD: "our automated chat classifier held the message before anyone saw it",
    Case.Source.CHAT_BLOCK: "our automated chat classifier blocked the message",
    Case.Source.FRAME_FLAG: "our automated video scanner flagged frames of the broadcast",
    Case.Source.HASH_MATCH: "a frame of the broadcast matched a list of known content",
    Case.Source.USER_REPORT: "another user reported it",
    Case.Source.APPEAL: "an appeal",
    Case.Source.STAFF: "a member of staff found it",
}


def _summary(case: Case, action: str, seconds: int | None) -> str:
    room = f"'{case.room.slug}'" if case.room else ""
    if action == P.DELETE_MESSAGE:
        return f"Your chat message in room {room} was removed." if room else "Your chat message was removed."
    if action == P.TIMEOUT:
        minutes = max(1, (seconds or 0) // 60)
        return f"You were timed out of the chat in room {room} for {minutes} minutes."
    if action == P.BAN_FROM_ROOM:
        return f"You were banned from room {room}."
    if action == P.SUSPEND_ACCOUNT:
        return "Your account was suspended."
    if action == P.END_STREAM:
        return f"Your broadcast in room {room} was ended."
    if action == P.REQUEST_VERIFICATION:
        return "Verify your identity and age again before the deadline on your verification page to keep broadcasting."
    raise AssertionError(action)


def _content(case: Case) -> tuple[str, datetime | None]:
    """The DSA content type and the content's own date (when it was written or captured)."""
    if case.message_id is not None or isinstance(case.evidence.get("message"), dict):
        when = case.message.created_at if case.message is not None else None
        return "CONTENT_TYPE_TEXT", when
    frames = case.evidence.get("frames") or []
    if frames:
        first = frames[0].get("captured_at") if isinstance(frames[0], dict) else None
        return "CONTENT_TYPE_VIDEO", parse_datetime(first) if isinstance(first, str) else None
    return (
        ("CONTENT_TYPE_VIDEO", None) if case.room is not None and case.subject is None else ("CONTENT_TYPE_OTHER", None)
    )


def statement_write(
    *, decision: Decision, case: Case, policy: P.Policy, end_date: datetime | None
) -> StatementOfReasons | None:
    """Write the statement for a restrictive decision (None for dismiss, escalate and reversals)."""
    if decision.action not in P.RESTRICTIVE:
        return None
    content_type, content_date = _content(case)
    if decision.action == P.END_STREAM:
        content_type = "CONTENT_TYPE_VIDEO"
    facts = [f"{policy.explanation} We reviewed it because {DETECTED_BY[case.source]}."]
    if decision.note:
        facts.append(decision.note)
    subject = decision.subject
    return StatementOfReasons.objects.create(
        decision=decision,
        user=subject,
        decision_visibility=P.DSA_VISIBILITY.get(decision.action, ""),
        decision_provision=P.DSA_PROVISION.get(decision.action, ""),
        decision_account=P.DSA_ACCOUNT.get(decision.action, ""),
        restriction_summary=_summary(case, decision.action, decision.duration_seconds),
        decision_ground=policy.ground,
        legal_ground=policy.legal_ground,
        contractual_ground=policy.contractual_ground,
        explanation=policy.explanation,
        facts=" ".join(facts),
        category=policy.dsa_category,
        keyword=policy.keyword,
        content_type=content_type,
        content_date=content_date,
        source_type=P.SOURCE_NOTICE if case.source == Case.Source.USER_REPORT else P.SOURCE_VOLUNTARY,
        automated_detection=case.source in AUTOMATED_SOURCES,
        automated_decision=decision.automated,
        territorial_scope=list(P.EEA),
        redress=P.redress_text(),
        application_date=decision.created_at,
        end_date=end_date,
        account_type=(
            "ACCOUNT_TYPE_BUSINESS"
            if subject is not None and subject.role == Role.PERFORMER
            else "ACCOUNT_TYPE_PRIVATE"
        ),
    )
