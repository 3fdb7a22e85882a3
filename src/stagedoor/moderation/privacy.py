"""moderation's part of data-subject requests (core.privacy_registry).

Decisions and statements of reasons are append-only records the platform must keep (EU DSA Art. 17, 24) and are
kept. Open cases about the person, and every case under a legal hold, keep their evidence; the person's own
words in reports and appeals on closed cases are emptied. Reports and appeals stay as records (who acted when).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.moderation.models import Appeal, Case, Decision, Report, Sanction, StatementOfReasons

OPEN_CASES = (Case.Status.OPEN, Case.Status.CLAIMED, Case.Status.ESCALATED)
DSA = "moderation decisions and statements of reasons (EU DSA Art. 17, 24; GDPR Art. 17(3)(e))"
OPEN_CASE = "open moderation case (establishment and defence of legal claims, GDPR Art. 17(3)(e))"
HELD = "legal hold placed by compliance (GDPR Art. 17(3)(e))"


def export_moderation(user: Any) -> ExportData:
    return {
        "reports_filed": rows(
            Report.objects.filter(reporter=user).order_by("created_at"),
            ["id", "target_kind", "target_id", "reason", "text", "status", "outcome", "created_at", "resolved_at"],
        ),
        "appeals": rows(
            Appeal.objects.filter(appellant=user).order_by("created_at"),
            ["id", "decision_id", "text", "status", "outcome", "created_at", "decided_at"],
        ),
        "statements_of_reasons": rows(
            StatementOfReasons.objects.filter(user=user).order_by("application_date"),
            [
                "id",
                "decision_id",
                "decision_ground",
                "explanation",
                "facts",
                "category",
                "redress",
                "application_date",
                "end_date",
            ],
        ),
        "sanctions": rows(
            Sanction.objects.filter(user=user).order_by("starts_at"),
            ["id", "kind", "room_id", "decision_id", "starts_at", "ends_at", "lifted_at"],
        ),
    }


def erase_moderation(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    held_case_ids = {cid for kind, cid in ctx.held_refs if kind == "moderation.case"}
    protected = Q(case__status__in=OPEN_CASES) | Q(case_id__in=held_case_ids)
    reports = Report.objects.filter(reporter=ctx.user)
    result.changed += reports.exclude(protected).exclude(text="").update(text="")
    appeals = Appeal.objects.filter(appellant=ctx.user)
    result.changed += appeals.exclude(protected).exclude(text="").update(text="")
    result.keep(
        "reports and appeals in cases under a legal hold (with their text)",
        HELD,
        reports.filter(case_id__in=held_case_ids).count() + appeals.filter(case_id__in=held_case_ids).count(),
    )
    result.keep(
        "reports and appeals in open cases (with their text)",
        OPEN_CASE,
        reports.filter(case__status__in=OPEN_CASES).exclude(case_id__in=held_case_ids).count()
        + appeals.filter(case__status__in=OPEN_CASES).exclude(case_id__in=held_case_ids).count(),
    )
    result.keep(
        "open cases about the account", OPEN_CASE, Case.objects.filter(subject=ctx.user, status__in=OPEN_CASES).count()
    )
    result.keep(
        "cases about the account under a legal hold",
        HELD,
        Case.objects.filter(subject=ctx.user, pk__in=held_case_ids).count(),
    )
    result.keep(
        "decisions and statements of reasons about the account",
        DSA,
        Decision.objects.filter(subject=ctx.user).count() + StatementOfReasons.objects.filter(user=ctx.user).count(),
    )
    return result


register_exporter("moderation", export_moderation)
register_eraser("moderation", erase_moderation)
