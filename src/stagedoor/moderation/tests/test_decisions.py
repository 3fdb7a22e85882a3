"""Decisions: refused ones change nothing; each action is carried out by the app that owns it (chat time-outs and
bans, account suspension, ending a real ingest's stream); bulk decisions give each case its own record."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from stagedoor.chat.models import ChatMessage, ChatRestriction
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.moderation import services
from stagedoor.moderation.errors import ActionNotAllowed, ActionNotApplicable, UnknownPolicy
from stagedoor.moderation.models import Case, Decision, Report, Sanction, StatementOfReasons
from stagedoor.streaming.local_ingest import set_current_ingest

pytestmark = pytest.mark.django_db


def _state(case: Case, message: ChatMessage) -> tuple[Any, ...]:
    case.refresh_from_db()
    message.refresh_from_db()
    return (
        case.status,
        case.claimed_by_id,
        message.status,
        Decision.objects.count(),
        StatementOfReasons.objects.count(),
        Sanction.objects.count(),
        ChatRestriction.objects.count(),
        AuditEntry.objects.filter(action__startswith="moderation.decided").count(),
        OutboxEvent.objects.filter(topic="moderation.decided").count(),
    )


@pytest.mark.parametrize(
    ("policy", "action", "error", "message"),
    [
        ("HAR-9", "delete_message", UnknownPolicy, "There is no policy 'HAR-9'."),
        ("OFF-1", "suspend_account", ActionNotAllowed, "OFF-1 (Payments and contact stay on the platform) allows: "),
        ("NONE-0", "delete_message", ActionNotAllowed, "NONE-0 (No violation found) allows: dismiss."),
        ("HASH-1", "end_stream", None, ""),
    ],
)
def test_unknown_policy_or_disallowed_action_changes_nothing(
    report_case: Callable[..., tuple[ChatMessage, Case]],
    moderator: Any,
    policy: str,
    action: str,
    error: type[Exception] | None,
    message: str,
) -> None:
    msg, case = report_case()
    before = _state(case, msg)
    expected = error or ActionNotApplicable  # HASH-1 allows end_stream, but this case is about no room's stream…
    if error is None:
        case.room = None
        case.save(update_fields=["room"])
        before = _state(case, msg)
    with pytest.raises(expected) as refused:
        services.case_decide(actor=moderator, case_id=case.pk, policy_code=policy, action=action)
    assert refused.value.message.startswith(message)  # type: ignore[attr-defined]
    assert _state(case, msg) == before


def test_time_out_goes_through_chat_and_has_an_end_date(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any, room: Any, viewer: Any
) -> None:
    msg, case = report_case()
    decision = services.case_decide(
        actor=moderator, case_id=case.pk, policy_code="HAR-1", action="timeout", timeout_seconds=1800
    )
    restriction = ChatRestriction.objects.get(room=room, user=troll, lifted_at__isnull=True)
    assert restriction.kind == "timeout" and restriction.created_by_id == moderator.pk
    assert restriction.reason == "Harassment and hate"
    [sanction] = decision.sanctions.all()
    assert (sanction.kind, sanction.user_id, sanction.room_id) == ("timeout", troll.pk, room.pk)
    assert sanction.ends_at is not None and sanction.ends_at == decision.statement.end_date
    assert abs((sanction.ends_at - decision.created_at).total_seconds() - 1800) < 5
    s = decision.statement
    assert s.restriction_summary == f"You were timed out of the chat in room '{room.slug}' for 30 minutes."
    assert (s.decision_provision, s.source_type, s.automated_detection) == (
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "SOURCE_ARTICLE_16",
        False,
    )
    # the message itself stays (a time-out is not a removal); the reporter learns the outcome
    msg.refresh_from_db()
    assert msg.status == "visible"
    report = Report.objects.get(reporter=viewer)
    assert (report.status, report.outcome) == (
        "actioned",
        "Action taken: timed out of the room's chat under our policy 'Harassment and hate'.",
    )


def test_bad_time_out_length_changes_nothing(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any
) -> None:
    msg, case = report_case()
    before = _state(case, msg)
    with pytest.raises(Exception, match="Some fields") as refused:
        services.case_decide(actor=moderator, case_id=case.pk, policy_code="HAR-1", action="timeout", timeout_seconds=5)
    assert refused.value.extra == {"fields": {"timeout_seconds": ["Time-outs last from 1 minute to 24 hours."]}}  # type: ignore[attr-defined]
    assert _state(case, msg) == before


def test_ban_suspend_and_staff_protection(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, troll: Any, room: Any, make_user: Any
) -> None:
    _, case = report_case("I know where you live, 12 Maple Street", "doxxing")
    services.case_decide(actor=moderator, case_id=case.pk, policy_code="DOX-1", action="ban_from_room")
    ban = ChatRestriction.objects.get(room=room, user=troll, lifted_at__isnull=True)
    assert (ban.kind, ban.until) == ("ban", None)
    _, second = report_case("still here, 12 Maple Street", "doxxing")
    decision = services.case_decide(actor=moderator, case_id=second.pk, policy_code="DOX-1", action="suspend_account")
    troll.refresh_from_db()
    assert troll.is_active is False
    assert decision.statement.decision_account == "DECISION_ACCOUNT_SUSPENDED"
    assert list(Sanction.objects.filter(user=troll).values_list("kind", flat=True).order_by("kind")) == [
        "room_ban",
        "suspension",
    ]
    staff_member = make_user("support_l1")
    staff_case, _ = services.case_open(source="staff", category="harassment", subject=staff_member)
    with pytest.raises(ActionNotApplicable, match="Staff accounts"):
        services.case_decide(actor=moderator, case_id=staff_case.pk, policy_code="HAR-1", action="suspend_account")
    staff_member.refresh_from_db()
    assert staff_member.is_active is True


def test_bulk_decision_gives_each_case_its_own_record(
    report_case: Callable[..., tuple[ChatMessage, Case]], moderator: Any, moderator2: Any
) -> None:
    cases = [report_case(f"BUY FOLLOWERS {i}", "spam")[1] for i in range(3)]
    services.case_claim(actor=moderator2, case_id=cases[2].pk)
    outcome = services.cases_decide_bulk(
        actor=moderator,
        case_ids=[c.pk for c in cases] + ["01AAAAAAAAAAAAAAAAAAAAAAAA"],
        policy_code="SPAM-1",
        action="delete_message",
    )
    assert [d.case_id for d in outcome.decided] == [cases[0].pk, cases[1].pk]
    assert set(outcome.refused) == {cases[2].pk, "01AAAAAAAAAAAAAAAAAAAAAAAA"}
    assert outcome.refused[cases[2].pk].startswith("max_mod holds this case")
    assert outcome.refused["01AAAAAAAAAAAAAAAAAAAAAAAA"] == "No such case."
    assert Decision.objects.count() == 2 and StatementOfReasons.objects.count() == 2
    assert ChatMessage.objects.filter(status="deleted").count() == 2
    cases[2].refresh_from_db()
    assert cases[2].status == "claimed"
    with pytest.raises(UnknownPolicy):
        services.cases_decide_bulk(actor=moderator, case_ids=[cases[2].pk], policy_code="X", action="dismiss")


@pytest.fixture
def running_ingest(tmp_path: Any) -> Iterator[Any]:
    """The streaming tests' real ingest (its own event loop in a thread), as the ingest of this process."""
    from stagedoor.conftest import require_tool
    from stagedoor.streaming.tests.conftest import DEBIAN_FFMPEG, RunningIngest, pid_alive
    from stagedoor.streaming.tests.rtmp_client import wait_until
    from stagedoor.streaming.transcoder.ladder import LadderPreset

    require_tool(DEBIAN_FFMPEG)
    running = RunningIngest(tmp_path / "media", grace_s=30, preset=LadderPreset(thumbnail_every_s=1, sample_every_s=2))
    seen: list[int] = []
    set_current_ingest(running.server)
    try:
        yield running
    finally:
        set_current_ingest(None)
        for stream in running.server.streams.values():
            seen.extend(stream.pids)
        running.stop()
        wait_until(lambda: not any(pid_alive(p) for p in seen), 5, "every ffmpeg to exit")


@pytest.mark.django_db(transaction=True)
def test_end_stream_ends_a_real_broadcast_without_grace(running_ingest: Any, make_user: Any) -> None:
    """A performer publishes with ffmpeg to a real ingest; a moderator's end_stream decision (from a request
    thread) hands the call to the ingest's loop after commit, and the stream goes offline at once."""
    import subprocess

    from stagedoor.rooms.models import Room
    from stagedoor.streaming.tests.conftest import live_push_args, pid_alive
    from stagedoor.streaming.tests.rtmp_client import wait_until

    performer = make_user("performer", login="goodperf")
    room = Room.objects.create(performer=performer, slug="room-good")  # the test ingest maps sk_good to it
    moderator = make_user("moderator", login="end_mod")
    push = subprocess.Popen(
        live_push_args(running_ingest.url("sk_good"), size="640x360", bitrate="800k", seconds=60),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: ("room-good", "live") in running_ingest.states, 20, "the stream to go live")
        pids = list(running_ingest.stream("room-good").pids)
        case, _ = services.case_open(source="staff", category="room_policy", subject=performer, room=room)
        with transaction.atomic():
            decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="ROOM-1", action="end_stream")
        assert decision.evidence["enforcement"] == {"stream": "requested"}
        wait_until(lambda: ("room-good", "offline") in running_ingest.states, 15, "the stream to be ended")
        assert push.wait(15) != 0  # the encoder was cut off
    finally:
        push.kill()
        push.wait(5)
    assert ("room-good", "reconnecting") not in running_ingest.states  # ended, not dropped: no grace period
    wait_until(lambda: not any(pid_alive(p) for p in pids), 5, "the transcoder to exit")
    assert decision.statement.restriction_summary == "Your broadcast in room 'room-good' was ended."
    assert decision.statement.decision_visibility == "DECISION_VISIBILITY_CONTENT_DISABLED"


def test_end_stream_without_an_ingest_here_is_recorded(
    moderator: Any,
    room: Any,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case, _ = services.case_open(source="staff", category="room_policy", subject=room.performer, room=room)
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="ROOM-1", action="end_stream")
    assert decision.evidence["enforcement"] == {"stream": "no_ingest_in_this_process"}
    assert "no ingest here to end the stream" in caplog.text


def test_a_case_can_ask_a_performer_to_verify_again_and_the_studio_warns(
    room: Any, moderator: Any, viewer: Any
) -> None:
    from django.utils import timezone

    from stagedoor.verification.models import ReverificationRequest
    from stagedoor.verification.selectors import standing_of

    case, _ = services.case_open(
        source=Case.Source.USER_REPORT, category="minor_risk", subject=room.performer, room=room
    )
    decision = services.case_decide(
        actor=moderator, case_id=case.pk, policy_code="MIN-1", action="request_verification", note="looks young"
    )
    request = ReverificationRequest.objects.get(user=room.performer)
    assert request.source == "moderation" and request.reason == f"Trust & safety case {case.pk}: Protection of minors"
    assert decision.statement is not None  # restrictive: the performer gets a statement of reasons
    standing = standing_of(room.performer.pk, now=timezone.now())
    assert standing.deadline == request.deadline

    other, _ = services.case_open(source=Case.Source.USER_REPORT, category="minor_risk", subject=viewer, room=room)
    with pytest.raises(ActionNotApplicable):
        services.case_decide(actor=moderator, case_id=other.pk, policy_code="MIN-1", action="request_verification")
    assert ReverificationRequest.objects.count() == 1
    other.refresh_from_db()
    assert other.status == Case.Status.OPEN


def test_every_action_a_policy_can_take_fits_the_decision_record() -> None:
    from stagedoor.moderation import policies as P

    field = Decision._meta.get_field("action")
    assert field.max_length is not None
    stored = {value for value, _ in Decision.Action.choices}
    for action in (*P.ACTIONS, P.REVERSE):
        assert action in stored and len(action) <= field.max_length, action
    for policy in P.POLICIES.values():
        assert set(policy.actions) <= stored, policy.code
