"""Cases: dedupe, severity and SLA, the queue's order and breaches, claims that conflict, the next case for a
moderator (exposure cap, own decisions, own account), supervisors' reassign and rebalance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.moderation import selectors, services
from stagedoor.moderation.errors import (
    CaseClosed,
    CaseEscalated,
    CaseHeld,
    EvidenceInvalid,
    ExposureCapReached,
    NotYourClaim,
)
from stagedoor.moderation.models import Case, Exposure

from .conftest import set_cases_config

pytestmark = pytest.mark.django_db


def _open(category: str, *, key: str = "", subject: Any = None, age_min: int = 0, **kw: Any) -> Case:
    case, _ = services.case_open(source="staff", category=category, dedupe_key=key, subject=subject, **kw)
    if age_min:
        earlier = timezone.now() - timedelta(minutes=age_min)
        Case.objects.filter(pk=case.pk).update(created_at=earlier, due_at=earlier + (case.due_at - case.created_at))
        case.refresh_from_db()
    return case


def _snapshot(case: Case) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (case.status, case.claimed_by_id, case.claimed_at, case.evidence, case.severity)


def test_dedupe_joins_the_open_case_and_raises_its_severity() -> None:
    first, created = services.case_open(
        source="user_report", category="spam", dedupe_key="room:r1", evidence={"reports": [{"id": "a"}]}
    )
    assert created and (first.severity, first.severity_rank) == ("low", 3)
    assert (first.due_at - first.created_at) == timedelta(minutes=1440)
    again, created = services.case_open(
        source="user_report",
        category="harassment",
        dedupe_key="room:r1",
        evidence={"reports": [{"id": "b"}], "note": "x"},
    )
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert again.hits == 2 and again.category == "spam"  # the case keeps its category…
    assert (again.severity, again.severity_rank) == ("medium", 2)  # …and takes the worse severity, with its SLA
    assert again.due_at == again.created_at + timedelta(minutes=240)
    assert again.evidence == {"reports": [{"id": "a"}, {"id": "b"}], "note": "x"}
    # once decided, the key is free: a new report opens a new case
    Case.objects.filter(pk=first.pk).update(status="decided")
    third, created = services.case_open(source="user_report", category="spam", dedupe_key="room:r1")
    assert created and third.pk != first.pk


def test_severity_comes_from_the_category_and_hash_prohibited_is_critical() -> None:
    assert _open("minor_risk").severity == "critical"
    assert _open("prohibited_content").severity == "critical"
    assert _open("doxxing").severity == "high"
    assert _open("off_platform").severity == "medium"
    assert _open("spam").severity == "low"
    assert _open("spam", severity="critical").severity == "critical"


@pytest.mark.parametrize(
    ("evidence", "problem"),
    [
        ([1, 2], "Evidence must be a JSON object."),
        ({"message": "m1"}, "`message` must be an object with the message's `id`."),
        ({"reports": "many"}, "`reports` must be a list of objects."),
        ({"frames": [{"item": "x1", "path": "../../etc/passwd"}]}, "Each frame needs an `item` id and a stored `path`"),
        ({"blob": "x" * 70_000}, "Evidence is larger than 64 KiB."),
        ({"n": float("nan")}, "Evidence must be plain JSON"),
    ],
)
def test_malformed_evidence_is_refused_and_nothing_is_stored(evidence: Any, problem: str) -> None:
    with pytest.raises(EvidenceInvalid) as refused:
        services.case_open(source="staff", category="spam", evidence=evidence)
    assert refused.value.code == "moderation.evidence_invalid" and refused.value.message.startswith(problem)
    assert refused.value.extra["fields"]["evidence"] == [refused.value.message]
    assert not Case.objects.exists()


def test_unknown_source_or_category_is_refused() -> None:
    with pytest.raises(EvidenceInvalid, match="Unknown category"):
        services.case_open(source="staff", category="bad_vibes")
    with pytest.raises(EvidenceInvalid, match="Unknown source"):
        services.case_open(source="rumour", category="spam")
    assert not Case.objects.exists()


def test_queue_is_worst_first_then_oldest_with_breaches() -> None:
    low_old = _open("spam", age_min=2000)  # past its 24 h SLA
    medium = _open("harassment", age_min=10)
    critical_new = _open("minor_risk", age_min=1)
    critical_old = _open("minor_risk", age_min=20)  # past its 15 min SLA
    high = _open("scam", age_min=30)
    rows = selectors.queue()
    assert [r.case.pk for r in rows] == [critical_old.pk, critical_new.pk, high.pk, medium.pk, low_old.pk]
    assert [r.breached for r in rows] == [True, False, False, False, True]
    assert rows[0].left_label == "5 min over"
    assert rows[1].left_label == "13 min left"
    assert rows[4].left_label == "9 h 20 min over"
    counts = selectors.queue_counts()
    assert (counts.active, counts.breached, counts.critical) == (5, 2, 2)
    assert [r.case.pk for r in selectors.queue(category="minor_risk")] == [critical_old.pk, critical_new.pk]
    assert selectors.queue(source="user_report") == []


def test_claim_conflict_is_a_clear_error_that_changes_nothing(moderator: Any, moderator2: Any) -> None:
    case = _open("harassment")
    services.case_claim(actor=moderator, case_id=case.pk)
    before = _snapshot(case)
    audit = AuditEntry.objects.count()
    with pytest.raises(CaseHeld) as refused:
        services.case_claim(actor=moderator2, case_id=case.pk)
    assert refused.value.code == "moderation.case_held" and refused.value.status == 409
    assert refused.value.message.startswith("mona_mod holds this case (since ")
    assert refused.value.message.endswith("); nothing was changed.")
    with pytest.raises(NotYourClaim):
        services.case_release(actor=moderator2, case_id=case.pk)
    with pytest.raises(CaseHeld):
        services.case_decide(actor=moderator2, case_id=case.pk, policy_code="HAR-1", action="dismiss")
    assert _snapshot(case) == before and AuditEntry.objects.count() == audit
    assert case.decisions.count() == 0
    # claiming again is a no-op; releasing puts it back; then the other one may take it
    assert services.case_claim(actor=moderator, case_id=case.pk).claimed_by_id == moderator.pk
    assert AuditEntry.objects.count() == audit
    services.case_release(actor=moderator, case_id=case.pk)
    case.refresh_from_db()
    assert case.status == "open" and case.claimed_by_id is None
    assert services.case_claim(actor=moderator2, case_id=case.pk).claimed_by_id == moderator2.pk


def test_nobody_claims_a_case_about_themselves_or_a_decided_or_escalated_one(
    moderator: Any, moderator2: Any, supervisor: Any
) -> None:
    about_me = _open("harassment", subject=moderator)
    with pytest.raises(CaseHeld, match="your own account"):
        services.case_claim(actor=moderator, case_id=about_me.pk)
    escalated = _open("doxxing")
    services.case_decide(actor=moderator2, case_id=escalated.pk, policy_code="DOX-1", action="escalate")
    escalated.refresh_from_db()
    assert escalated.status == "escalated" and escalated.claimed_by_id is None
    with pytest.raises(CaseEscalated):
        services.case_claim(actor=moderator, case_id=escalated.pk)
    assert services.case_claim(actor=supervisor, case_id=escalated.pk).status == "escalated"
    decided = _open("spam")
    services.case_decide(actor=moderator2, case_id=decided.pk, policy_code="NONE-0", action="dismiss")
    with pytest.raises(CaseClosed):
        services.case_claim(actor=moderator, case_id=decided.pk)


def test_next_case_skips_graphic_cases_once_the_exposure_cap_is_reached(
    settings: Any, moderator: Any, moderator2: Any, media_dir: Any, room: Any
) -> None:
    set_cases_config(settings, exposure_cap=1)
    frame = services.evidence_frame_store(b"\xff\xd8synthetic-test-frame", captured_at=timezone.now())
    graphic = _open("non_consensual", age_min=5, evidence={"frames": [frame]}, room=room)  # high, graphic
    plain = _open("doxxing", age_min=1)  # high, not graphic, newer
    assert selectors.case_next_for(moderator) == graphic
    # revealing one graphic item reaches the cap of 1
    services.case_claim(actor=moderator, case_id=graphic.pk)
    assert services.exposure_reveal_record(moderator=moderator, case_id=graphic.pk, item=frame["item"]) is True
    assert services.exposure_reveal_record(moderator=moderator, case_id=graphic.pk, item=frame["item"]) is False
    assert selectors.shift_status(moderator).revealed == 1 and selectors.exposure_cap_reached(moderator)
    services.case_release(actor=moderator, case_id=graphic.pk)
    assert selectors.case_next_for(moderator) == plain  # the graphic case goes to others…
    assert selectors.case_next_for(moderator2) == graphic  # …like this moderator, under the cap
    with pytest.raises(ExposureCapReached) as refused:
        services.case_claim(actor=moderator, case_id=graphic.pk)
    assert refused.value.code == "moderation.exposure_cap_reached"
    assert services.case_take_next(actor=moderator) == plain
    assert services.case_take_next(actor=moderator2) == graphic
    # a new shift starts the count again
    services.shift_end(moderator=moderator)
    assert not selectors.exposure_cap_reached(moderator)
    assert Exposure.objects.filter(kind="revealed").count() == 1


def test_break_prompt_after_the_configured_minutes(settings: Any, moderator: Any) -> None:
    set_cases_config(settings, break_min=90)
    shift = services.shift_current(moderator=moderator)
    assert selectors.shift_status(moderator).break_due is False
    type(shift).objects.filter(pk=shift.pk).update(started_at=timezone.now() - timedelta(minutes=95))
    status = selectors.shift_status(moderator)
    assert (status.break_due, status.minutes_on) == (True, 95)
    services.shift_break_record(moderator=moderator)
    assert selectors.shift_status(moderator).break_due is False
    assert AuditEntry.objects.filter(action="moderation.shift_break", actor_id=moderator.pk).count() == 1


def test_supervisor_reassigns_and_rebalances(moderator: Any, moderator2: Any, supervisor: Any) -> None:
    a, b = _open("scam"), _open("spam")
    services.case_claim(actor=moderator, case_id=a.pk)
    services.case_claim(actor=moderator, case_id=b.pk)
    moved = services.case_reassign(actor=supervisor, case_id=a.pk, moderator_id=moderator2.pk)
    assert moved.claimed_by_id == moderator2.pk
    [entry] = AuditEntry.objects.filter(action="moderation.case_reassigned")
    assert entry.data == {"from": moderator.pk, "to": moderator2.pk} and entry.actor_id == supervisor.pk
    assert services.cases_release_all_of(actor=supervisor, moderator_id=moderator.pk) == 1
    b.refresh_from_db()
    assert b.status == "open" and b.claimed_by_id is None
    load = {row.moderator.login: row for row in selectors.moderators_load()}
    assert set(load) == {"mona_mod", "max_mod"}  # supervisors are not listed among the moderators
    assert (load["max_mod"].holding, load["mona_mod"].holding) == (1, 0)


def test_queue_settings_come_from_the_environment(tmp_path: Any) -> None:
    from stagedoor.core.config import ConfigError, ModerationCasesConfig, load

    env = {"STAGEDOOR_VAR_DIR": str(tmp_path), "STAGEDOOR_SECRET_KEY": "k" * 40}
    assert load(env).moderation_cases == ModerationCasesConfig()
    tuned = load(
        env
        | {
            "STAGEDOOR_MODERATION_SLA_CRITICAL_MIN": "5",
            "STAGEDOOR_MODERATION_APPEAL_DAYS": "30",
            "STAGEDOOR_MODERATION_EXPOSURE_CAP": "10",
            "STAGEDOOR_MODERATION_REPORTS_PER_HOUR": "3",
        }
    ).moderation_cases
    assert (tuned.sla_critical_min, tuned.appeal_days, tuned.exposure_cap, tuned.reports_per_hour) == (5, 30, 10, 3)
    with pytest.raises(ConfigError, match="STAGEDOOR_MODERATION_BREAK_MIN: must be between 5 and 1440, got 1"):
        load(env | {"STAGEDOOR_MODERATION_BREAK_MIN": "1"})
