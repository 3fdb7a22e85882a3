"""What people outside the staff see: their reports and what became of them, the decisions about them (with the
statement of reasons and whether they can still appeal), decisions about a performer's room; and the appeals
queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from stagedoor.moderation.errors import AppealNotFound, DecisionNotFound
from stagedoor.moderation.models import Appeal, Decision, Report
from stagedoor.moderation.policies import ACTION_TITLES, POLICIES, RESTRICTIVE, cases_config


def reports_of(user: Any, *, limit: int = 50) -> list[Report]:
    return list(Report.objects.filter(reporter=user).order_by("-created_at", "-id")[: max(1, min(limit, 200))])


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    appeal: Appeal | None
    appeal_until: datetime
    can_appeal: bool
    reversed: bool

    @property
    def action_title(self) -> str:
        return ACTION_TITLES.get(self.decision.action, self.decision.action)

    @property
    def policy_title(self) -> str:
        policy = POLICIES.get(self.decision.policy_code)
        return policy.title if policy else self.decision.policy_code


def _appealable(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    return qs.filter(action__in=RESTRICTIVE, reverses__isnull=True)


def _view(decision: Decision, now: datetime) -> DecisionView:
    until = decision.created_at + timedelta(days=cases_config().appeal_days)
    appeal = getattr(decision, "appeal", None)
    reversed_ = decision.reversed_by.exists()
    return DecisionView(decision, appeal, until, appeal is None and now <= until and not reversed_, reversed_)


def decisions_about(user: Any, *, limit: int = 50, now: datetime | None = None) -> list[DecisionView]:
    """Restrictions decided about this person, newest first, each with its statement of reasons."""
    now = now or timezone.now()
    qs = _appealable(Decision.objects.filter(subject=user)).select_related("statement", "room", "appeal")
    return [_view(d, now) for d in qs.order_by("-created_at", "-id")[: max(1, min(limit, 200))]]


def decisions_about_room_of(performer: Any, *, limit: int = 50) -> list[Decision]:
    """Decisions about the performer's room or its chat (other people's messages included), newest first."""
    qs = Decision.objects.filter(room__performer=performer).exclude(subject=performer)
    qs = qs.exclude(action="escalate").select_related("subject", "room")
    return list(qs.order_by("-created_at", "-id")[: max(1, min(limit, 200))])


def access_own_decision(user: Any, decision_id: str) -> Decision:
    """A decision about `user` (anyone else's is "not found": its existence is not revealed)."""
    decision = Decision.objects.select_related("case", "statement").filter(pk=decision_id, subject=user).first()
    if decision is None:
        raise DecisionNotFound()
    return decision


def appeal_get(appeal_id: str) -> Appeal:
    appeal = (
        Appeal.objects.select_related("decision", "decision__moderator", "decision__case", "appellant", "case")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise AppealNotFound()
    return appeal


def appeals_queue_for(moderator: Any, *, limit: int = 100) -> list[Appeal]:
    """Open appeals this moderator may review: never one against their own decision, nor their own appeal."""
    qs = Appeal.objects.filter(status=Appeal.Status.OPEN).exclude(decision__moderator=moderator)
    qs = qs.exclude(appellant=moderator).select_related("decision", "appellant", "case", "case__claimed_by")
    return list(qs.order_by("created_at", "id")[: max(1, min(limit, 500))])


def open_appeals_count_for(moderator: Any) -> int:
    return Appeal.objects.filter(status=Appeal.Status.OPEN).exclude(decision__moderator=moderator).count()
