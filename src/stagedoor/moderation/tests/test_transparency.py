"""The transparency report on a known set of decisions, and the statements of reasons exported in the DSA
Transparency Database's fields (JSON and CSV, from the API and the console)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stagedoor.chat.models import ChatMessage
from stagedoor.moderation import policies as P
from stagedoor.moderation import selectors, services
from stagedoor.moderation.models import Appeal, Case, Decision, Report, StatementOfReasons
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _at(case: Case, decision: Decision, minutes: int) -> None:
    """Put the case at T0 and its decision `minutes` later (the statement follows its decision)."""
    Case.objects.filter(pk=case.pk).update(created_at=T0)
    when = T0 + timedelta(minutes=minutes)
    Decision.objects.filter(pk=decision.pk).update(created_at=when)
    StatementOfReasons.objects.filter(decision=decision).update(application_date=when)


@pytest.fixture
def known_set(
    held: Callable[..., tuple[ChatMessage, Case]],
    report_case: Callable[..., tuple[ChatMessage, Case]],
    moderator: Any,
    moderator2: Any,
    troll: Any,
    room: Any,
) -> dict[str, Any]:
    _, a = held("how old are you, 14? meet me", "minor_risk")
    da = services.case_decide(actor=moderator, case_id=a.pk, policy_code="MIN-1", action="delete_message")
    _at(a, da, 10)
    _, b = report_case("you are worthless", "harassment")
    db = services.case_decide(actor=moderator, case_id=b.pk, policy_code="HAR-1", action="timeout")
    appeal = services.appeal_file(appellant=troll, decision_id=db.pk, text="I was quoting a film.")
    services.appeal_decide(actor=moderator2, appeal_id=appeal.pk, outcome="upheld")
    _at(b, db, 30)
    c, _ = services.case_open(source="staff", category="spam", subject=troll, room=room)
    dc = services.case_decide(actor=moderator, case_id=c.pk, policy_code="NONE-0", action="dismiss")
    _at(c, dc, 20)
    d, _ = services.case_open(source="hash_match", category="prohibited_content", subject=room.performer, room=room)
    dd_auto = services.decision_record_automated(
        case=d, policy_code="HASH-1", action="end_stream", enforcement={"stream": "ended_by_scanner"}
    )
    _at(d, dd_auto, 0)
    dd = services.case_decide(actor=moderator2, case_id=d.pk, policy_code="HASH-1", action="suspend_account")
    Decision.objects.filter(pk=dd.pk).update(created_at=T0 + timedelta(minutes=60))
    StatementOfReasons.objects.filter(decision=dd).update(application_date=T0 + timedelta(minutes=60))
    e, _ = services.case_open(source="staff", category="doxxing", subject=troll, room=room)
    de = services.case_decide(actor=moderator, case_id=e.pk, policy_code="DOX-1", action="escalate")
    _at(e, de, 5)
    old, _ = services.case_open(source="staff", category="spam", subject=troll, room=room)
    dold = services.case_decide(actor=moderator, case_id=old.pk, policy_code="SPAM-1", action="ban_from_room")
    Case.objects.filter(pk=old.pk).update(created_at=T0 - timedelta(days=40))
    Decision.objects.filter(pk=dold.pk).update(created_at=T0 - timedelta(days=40))
    StatementOfReasons.objects.filter(decision=dold).update(application_date=T0 - timedelta(days=40))
    Appeal.objects.filter(pk=appeal.pk).update(created_at=T0 + timedelta(hours=2), decided_at=T0 + timedelta(hours=3))
    Decision.objects.filter(action="reverse").update(created_at=T0 + timedelta(hours=3))
    Report.objects.update(created_at=T0)
    return {"a": da, "b": db, "d_auto": dd_auto}


def test_the_report_counts_a_known_set(known_set: dict[str, Any]) -> None:
    start, end = selectors.period_parse("2026-03-01", "2026-03-31")
    assert (start, end) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    report = selectors.transparency_report(start=start, end=end).as_dict()
    assert report == {
        "period": {"start": "2026-03-01T00:00:00+00:00", "end": "2026-04-01T00:00:00+00:00"},
        "decisions": 6,
        "automated_decisions": 1,
        "by_category": {"doxxing": 1, "harassment": 1, "minor_risk": 1, "prohibited_content": 2, "spam": 1},
        "by_source": {"automated": 3, "user_report": 1, "staff": 2},
        "by_action": {
            "delete_message": 1,
            "dismiss": 1,
            "end_stream": 1,
            "escalate": 1,
            "suspend_account": 1,
            "timeout": 1,
        },
        "median_seconds_to_action": 900.0,  # of 0 s (automated), 10, 20 and 30 min
        "reports_filed": 1,
        "appeals": {"filed": 1, "decided": 1, "upheld": 1, "rejected": 0},
        "reversals": 1,
        "statements_of_reasons": 4,
    }
    before_start, before_end = selectors.period_parse("2026-01-25", "2026-02-28")
    february = selectors.transparency_report(start=before_start, end=before_end)
    assert (february.decisions, february.by_action[0].label, february.median_seconds_to_action) == (
        1,
        "ban_from_room",
        0.0,
    )


def test_period_parse_refuses_bad_dates() -> None:
    from stagedoor.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as bad:
        selectors.period_parse("2026-13-01", "")
    assert bad.value.extra == {"fields": {"start": ["Use a date like 2026-01-31."]}}
    with pytest.raises(ValidationFailed):
        selectors.period_parse("2026-03-02", "2026-03-01")
    start, end = selectors.period_parse(today=datetime(2026, 3, 31, 8, 0, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def test_statements_export_in_the_dsa_shape(known_set: dict[str, Any], make_user: Any, troll: Any, room: Any) -> None:
    client = client_for(make_user("compliance"))
    response = client.get("/api/v1/moderation/transparency/statements", {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="statements-of-reasons-20260301-20260331.json"'
    body = response.json()
    assert body["period"] == {"start": "2026-03-01T00:00:00+00:00", "end": "2026-04-01T00:00:00+00:00"}
    rows = body["statements"]
    assert [r["puid"] for r in rows] == [known_set["d_auto"].pk, known_set["a"].pk, known_set["b"].pk, rows[3]["puid"]]
    assert all(list(r) == list(selectors.EXPORT_FIELDS) for r in rows)
    minor = rows[1]
    assert minor == {
        "puid": known_set["a"].pk,
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "end_date_visibility_restriction": None,
        "decision_monetary": None,
        "decision_provision": None,
        "end_date_service_restriction": None,
        "decision_account": None,
        "end_date_account_restriction": None,
        "account_type": "ACCOUNT_TYPE_PRIVATE",
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": P.POLICIES["MIN-1"].legal_ground,
        "illegal_content_explanation": P.POLICIES["MIN-1"].explanation,
        "incompatible_content_ground": None,
        "incompatible_content_explanation": None,
        "incompatible_content_illegal": None,
        "category": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
        "category_specification": ["KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"],
        "content_type": ["CONTENT_TYPE_TEXT"],
        "content_date": minor["content_date"],
        "territorial_scope": list(P.EEA),
        "application_date": "2026-03-10 12:10:00",
        "decision_facts": (
            "Content that sexualises, solicits or puts at risk a person under 18 is illegal and never allowed. "
            "We reviewed it because our automated chat classifier held the message before anyone saw it."
        ),
        "source_type": "SOURCE_VOLUNTARY",
        "automated_detection": "Yes",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "platform_name": "Stagedoor",
    }
    auto = rows[0]
    assert (auto["automated_decision"], auto["content_type"], auto["account_type"]) == (
        "AUTOMATED_DECISION_FULLY",
        ["CONTENT_TYPE_VIDEO"],
        "ACCOUNT_TYPE_BUSINESS",
    )
    timeout = rows[2]
    assert (timeout["decision_provision"], timeout["source_type"], timeout["incompatible_content_illegal"]) == (
        "DECISION_PROVISION_PARTIAL_SUSPENSION",
        "SOURCE_ARTICLE_16",
        "No",
    )
    assert timeout["end_date_service_restriction"] is not None and timeout["decision_visibility"] == []
    dumped = json.dumps(rows)
    assert all(secret not in dumped for secret in ("tom_troll", troll.pk, "star", room.performer_id))  # no people

    as_csv = client.get(
        "/api/v1/moderation/transparency/statements", {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"}
    )
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert table[0] == list(selectors.EXPORT_FIELDS) and len(table) == 5
    line = dict(zip(table[0], table[2], strict=True))
    assert line["decision_visibility"] == '["DECISION_VISIBILITY_CONTENT_REMOVED"]'
    assert line["decision_account"] == "" and line["automated_detection"] == "Yes"
    assert json.loads(line["territorial_scope"]) == list(P.EEA)
    # the console's buttons give the same file
    console_csv = client.get("/staff/transparency/statements.csv", {"start": "2026-03-01", "end": "2026-03-31"})
    assert console_csv.content == as_csv.content
    assert client.get("/api/v1/moderation/transparency/statements", {"format": "xml"}).status_code == 422


def test_transparency_api_and_page(known_set: dict[str, Any], make_user: Any) -> None:
    client = client_for(make_user("compliance"))
    api = client.get("/api/v1/moderation/transparency", {"start": "2026-03-01", "end": "2026-03-31"}).json()
    assert (api["decisions"], api["median_seconds_to_action"], api["reversals"]) == (6, 900.0, 1)
    page = client.get("/staff/transparency/", {"start": "2026-03-01", "end": "2026-03-31"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="fig-decisions">6<' in html and 'data-testid="fig-median">15 min<' in html
    assert 'data-testid="fig-reversals">1<' in html
    assert html.count('<rect class="bar"') == 5 + 3 + 6  # one bar per category, source and action
    bad = client.get("/staff/transparency/", {"start": "junk"})
    assert bad.status_code == 200 and "Use dates like 2026-01-31" in bad.content.decode()
    assert client_for(make_user("moderator")).get("/staff/transparency/").status_code == 403
