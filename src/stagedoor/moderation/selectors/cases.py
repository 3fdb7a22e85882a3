"""Reads of the review queue: the queue in its order with SLA time left, one case with its context, the next
case for a moderator, the history of the account a case is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.chat.models import ChatMessage
from stagedoor.moderation.errors import CaseNotFound
from stagedoor.moderation.models import Case, Decision
from stagedoor.moderation.selectors.shifts import exposure_cap_reached

ACTIVE = (Case.Status.OPEN, Case.Status.CLAIMED, Case.Status.ESCALATED)
QUEUE_LIMIT = 200


def case_get(case_id: str) -> Case:
    case = Case.objects.select_related("subject", "room", "claimed_by", "message").filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound()
    return case


def queue_order(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Worst first, then oldest first (the one closest to breaching its SLA)."""
    return qs.order_by("severity_rank", "created_at", "id")


@dataclass(frozen=True)
class QueueRow:
    case: Case
    left: timedelta  # SLA time left; negative once breached

    @property
    def breached(self) -> bool:
        return self.left < timedelta(0)

    @property
    def left_label(self) -> str:
        seconds = int(abs(self.left.total_seconds()))
        hours, rest = divmod(seconds, 3600)
        text = f"{hours} h {rest // 60:02d} min" if hours else f"{rest // 60} min"
        return f"{text} over" if self.breached else f"{text} left"


def queue(
    *,
    source: str = "",
    category: str = "",
    status: str = "",
    holder: Any = None,
    include_appeals: bool = True,
    limit: int = QUEUE_LIMIT,
    now: datetime | None = None,
) -> list[QueueRow]:
    """Open, claimed and escalated cases in queue order (filters: source, category, one status, who holds it)."""
    now = now or timezone.now()
    qs = Case.objects.filter(status__in=[status] if status in ACTIVE else ACTIVE)
    if source:
        qs = qs.filter(source=source)
    if category:
        qs = qs.filter(category=category)
    if holder is not None:
        qs = qs.filter(claimed_by=holder)
    if not include_appeals:
        qs = qs.exclude(source=Case.Source.APPEAL)
    rows = queue_order(qs.select_related("subject", "room", "claimed_by"))[: max(1, min(limit, QUEUE_LIMIT))]
    return [QueueRow(c, c.due_at - now) for c in rows]


@dataclass(frozen=True)
class QueueCounts:
    active: int
    breached: int
    critical: int


def queue_counts(*, now: datetime | None = None) -> QueueCounts:
    now = now or timezone.now()
    counts = Case.objects.filter(status__in=ACTIVE).aggregate(
        active=Count("id"),
        breached=Count("id", filter=Q(due_at__lt=now)),
        critical=Count("id", filter=Q(severity_rank=0)),
    )
    return QueueCounts(counts["active"], counts["breached"], counts["critical"])


def queue_facets() -> tuple[list[str], list[str]]:
    """The sources and categories present among active cases (for the filters)."""
    qs = Case.objects.filter(status__in=ACTIVE)
    sources = sorted(set(qs.values_list("source", flat=True)))
    categories = sorted(set(qs.values_list("category", flat=True)))
    return sources, categories


def original_decider_id(case: Case) -> str | None:
    """For an appeal case: the moderator whose decision is appealed (who may not review it)."""
    if case.source != Case.Source.APPEAL:
        return None
    appeal = getattr(case, "appeal", None)
    return str(appeal.decision.moderator_id) if appeal is not None and appeal.decision.moderator_id else None


def case_next_for(moderator: Any) -> Case | None:
    """The first unclaimed case in queue order this moderator may take: no graphic case once their shift's
    exposure cap is reached, no appeal against their own decision, escalated cases for supervisors only, and
    nothing about themselves."""
    qs = Case.objects.filter(claimed_by__isnull=True).exclude(subject=moderator)
    if role_has(moderator.role, Perm.MODERATION_SUPERVISE):
        qs = qs.filter(status__in=(Case.Status.OPEN, Case.Status.ESCALATED))
    else:
        qs = qs.filter(status=Case.Status.OPEN)
    if exposure_cap_reached(moderator):
        qs = qs.filter(graphic=False)
    qs = qs.exclude(source=Case.Source.APPEAL, appeal__decision__moderator=moderator)
    return queue_order(qs).first()


def message_context(message: ChatMessage, *, before: int = 5, after: int = 2) -> list[ChatMessage]:
    """The message with the few messages around it in its room, oldest first."""
    room_msgs = ChatMessage.objects.filter(room_id=message.room_id).exclude(pk=message.pk)
    earlier = list(room_msgs.filter(created_at__lte=message.created_at).order_by("-created_at", "-id")[:before])
    later = list(room_msgs.filter(created_at__gt=message.created_at).order_by("created_at", "id")[:after])
    return [*reversed(earlier), message, *later]


def message_snapshot(message: ChatMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "user_id": str(message.user_id) if message.user_id else None,
        "login": message.login,
        "text": message.text,
        "status": message.status,
        "created_at": message.created_at.isoformat(),
    }


@dataclass(frozen=True)
class SubjectHistory:
    cases: list[Case]
    decisions: list[Decision]


def subject_history(user: Any, *, exclude: Case | None = None, limit: int = 20) -> SubjectHistory:
    """The account's earlier cases and the decisions about it, newest first."""
    if user is None:
        return SubjectHistory([], [])
    cases = Case.objects.filter(subject=user).order_by("-created_at")
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk)
    decisions = Decision.objects.filter(subject=user).select_related("moderator", "case").order_by("-created_at")
    return SubjectHistory(list(cases[:limit]), list(decisions[:limit]))


def case_decisions(case: Case) -> list[Decision]:
    return list(case.decisions.select_related("moderator").order_by("created_at"))


def cases_for_records(
    *, source: str = "", category: str = "", status: str = "", query: str = "", limit: int = 100
) -> list[Case]:
    """Every case, newest first (compliance's read-only view)."""
    qs = Case.objects.select_related("subject", "room", "claimed_by").order_by("-created_at")
    if source:
        qs = qs.filter(source=source)
    if category:
        qs = qs.filter(category=category)
    if status in Case.Status.values:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(pk=query) | Q(subject__login=query.lower()) | Q(room__slug=query.lower()))
    return list(qs[: max(1, min(limit, 500))])
