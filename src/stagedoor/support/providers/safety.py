"""Moderation (cases about the person, decisions, appeals, reports they filed) and verification (status only;
document kinds and dates for compliance) — read-only."""

from __future__ import annotations

from datetime import datetime

from stagedoor.core.timeline import TimelineEntry
from stagedoor.moderation.models import Appeal, Case, Decision, Report
from stagedoor.verification.models import Document, PerformerApplication, Verification


def moderation(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    cases = Case.objects.filter(subject_id=subject_id)
    decisions = Decision.objects.filter(subject_id=subject_id)
    appeals = Appeal.objects.filter(appellant_id=subject_id)
    reports = Report.objects.filter(reporter_id=subject_id)
    if before is not None:
        cases, decisions = cases.filter(created_at__lt=before), decisions.filter(created_at__lt=before)
        appeals, reports = appeals.filter(created_at__lt=before), reports.filter(created_at__lt=before)
    out = [
        TimelineEntry(
            at=c.created_at,
            source="moderation",
            kind=f"case.{c.status}",
            title=f"Moderation case ({c.get_source_display().lower()}): {c.category}",
            detail=f"{c.get_severity_display()} · {c.get_status_display()}",
            url=f"/staff/moderation/cases/{c.pk}/",
            severity="warning",
        )
        for c in cases.order_by("-created_at")[:limit]
    ]
    out += [
        TimelineEntry(
            at=d.created_at,
            source="moderation",
            kind=f"decision.{d.action}",
            title=f"Decision: {d.get_action_display()} ({d.policy_code})",
            detail="automated" if d.automated else "",
            severity="danger" if d.restrictive else "info",
        )
        for d in decisions.order_by("-created_at")[:limit]
    ]
    out += [
        TimelineEntry(
            at=a.created_at,
            source="moderation",
            kind=f"appeal.{a.status}",
            title=f"Appealed a decision — {a.get_status_display()}",
            detail=a.get_outcome_display() if a.outcome else "",
        )
        for a in appeals.order_by("-created_at")[:limit]
    ]
    out += [
        TimelineEntry(
            at=r.created_at,
            source="moderation",
            kind=f"report.{r.status}",
            title=f"Reported a {r.get_target_kind_display().lower()} for {r.reason}",
            detail=r.get_status_display(),
        )
        for r in reports.order_by("-created_at")[:limit]
    ]
    return out


def verification(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    """Status only: never names, dates of birth or documents."""
    checks = Verification.objects.filter(user_id=subject_id)
    applications = PerformerApplication.objects.filter(user_id=subject_id)
    if before is not None:
        checks = checks.filter(created_at__lt=before)
        applications = applications.filter(created_at__lt=before)
    out = [
        TimelineEntry(
            at=v.created_at,
            source="verification",
            kind=f"verification.{v.status}",
            title=f"Identity check ({v.get_purpose_display().lower()}): {v.get_status_display()}",
            detail=v.get_method_display(),
            severity="warning" if v.status in ("declined", "resubmission_requested") else "info",
        )
        for v in checks.order_by("-created_at")[:limit]
    ]
    out += [
        TimelineEntry(
            at=a.created_at,
            source="verification",
            kind=f"application.{a.status}",
            title=f"Performer application: {a.get_status_display()}",
        )
        for a in applications.order_by("-created_at")[:limit]
    ]
    return out


def documents(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    """Which documents were uploaded and when (compliance only); the files open in verification's review."""
    qs = Document.objects.filter(verification__user_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=d.created_at,
            source="documents",
            kind=f"document.{d.kind}",
            title=f"Document uploaded: {d.get_kind_display()}",
            detail=f"{d.content_type}, {d.size // 1024} KiB",
        )
        for d in qs.order_by("-created_at")[:limit]
    ]
