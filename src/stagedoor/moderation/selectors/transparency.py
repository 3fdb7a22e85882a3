"""The transparency report: queries over decisions, cases, reports and appeals for a period [start, end), and the
statements of reasons exported in the DSA Transparency Database's field names and values."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any

from stagedoor.core.errors import ValidationFailed
from stagedoor.moderation.models import Appeal, Case, Decision, Report, StatementOfReasons
from stagedoor.moderation.policies import ESCALATE, REVERSE

AUTOMATED_SOURCES = frozenset(
    {Case.Source.CHAT_HOLD, Case.Source.CHAT_BLOCK, Case.Source.FRAME_FLAG, Case.Source.HASH_MATCH}
)
SOURCE_GROUPS = ("automated", "user_report", "staff")
PLATFORM_NAME = "Stagedoor"


def source_group(source: str) -> str:
    if source in AUTOMATED_SOURCES:
        return "automated"
    return "user_report" if source == Case.Source.USER_REPORT else "staff"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    share: float  # of the largest bar, 0–1 (the chart's bar length)


def _bars(counts: Counter[str], order: tuple[str, ...] = ()) -> list[Bar]:
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    top = max(counts.values(), default=0)
    return [Bar(k, counts[k], counts[k] / top if top else 0.0) for k in keys]


@dataclass(frozen=True)
class TransparencyReport:
    start: datetime
    end: datetime
    decisions: int
    automated_decisions: int
    by_category: list[Bar]
    by_source: list[Bar]
    by_action: list[Bar]
    median_seconds_to_action: float | None
    reports_filed: int
    appeals_filed: int
    appeals_decided: int
    appeals_upheld: int
    appeals_rejected: int
    reversals: int
    statements: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def counts(bars: list[Bar]) -> dict[str, int]:
            return {b.label: b.count for b in bars}

        return {
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "decisions": self.decisions,
            "automated_decisions": self.automated_decisions,
            "by_category": counts(self.by_category),
            "by_source": counts(self.by_source),
            "by_action": counts(self.by_action),
            "median_seconds_to_action": self.median_seconds_to_action,
            "reports_filed": self.reports_filed,
            "appeals": {
                "filed": self.appeals_filed,
                "decided": self.appeals_decided,
                "upheld": self.appeals_upheld,
                "rejected": self.appeals_rejected,
            },
            "reversals": self.reversals,
            "statements_of_reasons": self.statements,
        }


def transparency_report(*, start: datetime, end: datetime) -> TransparencyReport:
    """Decisions taken in [start, end) (reversals counted apart), by the case's category and source and by
    action; the median time from a case's opening to its first action; reports, appeals and reversals."""
    decisions = list(
        Decision.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("case")
        .order_by("created_at", "id")
    )
    taken = [d for d in decisions if d.action != REVERSE]
    categories = Counter(d.case.category for d in taken)
    sources = Counter(source_group(d.case.source) for d in taken)
    actions = Counter(d.action for d in taken)
    first_action: dict[str, float] = {}
    for d in taken:
        if d.action != ESCALATE and d.case_id not in first_action:
            first_action[d.case_id] = (d.created_at - d.case.created_at).total_seconds()
    earlier = set(
        Decision.objects.filter(case_id__in=list(first_action), created_at__lt=start)
        .exclude(action__in=(ESCALATE, REVERSE))
        .values_list("case_id", flat=True)
    )
    delays = [seconds for case_id, seconds in first_action.items() if case_id not in earlier]
    appeals_decided = Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end)
    return TransparencyReport(
        start=start,
        end=end,
        decisions=len(taken),
        automated_decisions=sum(1 for d in taken if d.automated),
        by_category=_bars(categories),
        by_source=_bars(sources, SOURCE_GROUPS),
        by_action=_bars(actions),
        median_seconds_to_action=float(median(delays)) if delays else None,
        reports_filed=Report.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        appeals_filed=Appeal.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        appeals_decided=appeals_decided.count(),
        appeals_upheld=appeals_decided.filter(outcome=Appeal.Outcome.UPHELD).count(),
        appeals_rejected=appeals_decided.filter(outcome=Appeal.Outcome.REJECTED).count(),
        reversals=sum(1 for d in decisions if d.action == REVERSE),
        statements=StatementOfReasons.objects.filter(application_date__gte=start, application_date__lt=end).count(),
    )


# --- the statements of reasons, as the DSA Transparency Database names them --------------------------------

EXPORT_FIELDS = (
    "puid",
    "decision_visibility",
    "end_date_visibility_restriction",
    "decision_monetary",
    "decision_provision",
    "end_date_service_restriction",
    "decision_account",
    "end_date_account_restriction",
    "account_type",
    "decision_ground",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "category",
    "category_specification",
    "content_type",
    "content_date",
    "territorial_scope",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "platform_name",
)
LIST_FIELDS = frozenset({"decision_visibility", "category_specification", "content_type", "territorial_scope"})


def _date(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else None


def statement_record(s: StatementOfReasons) -> dict[str, Any]:
    """One statement of reasons in the database's shape (no personal data: the facts are the policy's words
    and the moderator's note, never a name)."""
    illegal = s.decision_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
    end = _date(s.end_date)
    return {
        "puid": s.decision_id,
        "decision_visibility": [s.decision_visibility] if s.decision_visibility else [],
        "end_date_visibility_restriction": end if s.decision_visibility else None,
        "decision_monetary": None,
        "decision_provision": s.decision_provision or None,
        "end_date_service_restriction": end if s.decision_provision else None,
        "decision_account": s.decision_account or None,
        "end_date_account_restriction": end if s.decision_account else None,
        "account_type": s.account_type,
        "decision_ground": s.decision_ground,
        "illegal_content_legal_ground": s.legal_ground if illegal else None,
        "illegal_content_explanation": s.explanation if illegal else None,
        "incompatible_content_ground": None if illegal else s.contractual_ground,
        "incompatible_content_explanation": None if illegal else s.explanation,
        "incompatible_content_illegal": None if illegal else "No",
        "category": s.category,
        "category_specification": [s.keyword] if s.keyword else [],
        "content_type": [s.content_type],
        "content_date": _date(s.content_date),
        "territorial_scope": list(s.territorial_scope),
        "application_date": _date(s.application_date),
        "decision_facts": s.facts[:5000],
        "source_type": s.source_type,
        "automated_detection": "Yes" if s.automated_detection else "No",
        "automated_decision": "AUTOMATED_DECISION_FULLY"
        if s.automated_decision
        else "AUTOMATED_DECISION_NOT_AUTOMATED",
        "platform_name": PLATFORM_NAME,
    }


def statements_export(*, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    qs = StatementOfReasons.objects.filter(application_date__gte=start, application_date__lt=end)
    for s in qs.order_by("application_date", "id").iterator(chunk_size=500):
        yield statement_record(s)


def csv_cell(value: Any) -> str:
    """Lists as JSON arrays (as the database's CSV dumps write them), nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value)
    return str(value)


def period_parse(start: str = "", end: str = "", *, today: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) from two dates `YYYY-MM-DD` (the end date included); by default the last 30 days."""
    now = today or datetime.now(tz=UTC)

    def day(text: str, name: str, default: date) -> date:
        if not text:
            return default
        try:
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise ValidationFailed.of_field(name, "Use a date like 2026-01-31.") from None

    last = day(end, "end", now.date())
    first = day(start, "start", last - timedelta(days=29))
    if first > last or (last - first).days > 3660:
        raise ValidationFailed.of_field("start", "The period starts on or before its end, and spans at most 10 years.")
    begin = datetime(first.year, first.month, first.day, tzinfo=UTC)
    finish = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return begin, finish


def statements_download(*, start: datetime, end: datetime, fmt: str) -> tuple[str, str, str]:
    """(body, content type, file name) of the period's statements as CSV or JSON."""
    rows = list(statements_export(start=start, end=end))
    name = f"statements-of-reasons-{start:%Y%m%d}-{end - timedelta(days=1):%Y%m%d}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_FIELDS)
        for row in rows:
            writer.writerow([csv_cell(row[f]) for f in EXPORT_FIELDS])
        return buffer.getvalue(), "text/csv; charset=utf-8", f"{name}.csv"
    body = {"period": {"start": start.isoformat(), "end": end.isoformat()}, "statements": rows}
    return json.dumps(body, ensure_ascii=False), "application/json", f"{name}.json"
