"""The person's past tickets, agents' notes about them and (performers) their onboarding progress."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Role
from stagedoor.core.timeline import TimelineEntry
from stagedoor.support import onboarding as onboarding_checklist
from stagedoor.support.models import CustomerNote, Ticket


def tickets(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    qs = Ticket.objects.filter(requester_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=t.created_at,
            source="tickets",
            kind=f"ticket.{t.status}",
            title=f"Ticket: {t.subject}",
            detail=f"{t.get_category_display()} · {t.get_status_display()} · {t.get_queue_display()}"
            + (f" · satisfaction {t.csat_score}/5" if t.csat_score else ""),
            url=f"/staff/support/tickets/{t.pk}/",
            data={"ticket_id": t.pk},
        )
        for t in qs.order_by("-created_at")[:limit]
    ]


def notes(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    qs = CustomerNote.objects.filter(subject_id=subject_id)
    if before is not None:
        qs = qs.filter(created_at__lt=before)
    return [
        TimelineEntry(
            at=n.created_at,
            source="notes",
            kind="note",
            title=f"Note by {n.author.login if n.author else 'a former agent'}",
            detail=n.body[:500],
        )
        for n in qs.select_related("author").order_by("-created_at")[:limit]
    ]


def onboarding(subject_id: str, before: datetime | None, limit: int) -> list[TimelineEntry]:
    if before is not None:
        return []
    user = User.objects.filter(pk=subject_id, role=Role.PERFORMER).first()
    if user is None:
        return []
    checklist = onboarding_checklist.checklist_for(user)
    missing = [s.title for s in checklist.steps if not s.done]
    return [
        TimelineEntry(
            at=timezone.now(),
            source="onboarding",
            kind="onboarding.progress",
            title=f"Onboarding {checklist.done}/{len(checklist.steps)} done",
            detail="Still to do: " + "; ".join(missing) if missing else "All steps done.",
            severity="info" if checklist.complete else "warning",
            data={"done": checklist.done, "steps": len(checklist.steps)},
        )
    ]
