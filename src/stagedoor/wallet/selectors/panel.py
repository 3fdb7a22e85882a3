"""Tip menus, goals and the tip panel a room shows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet, Sum

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.wallet import errors
from stagedoor.wallet.models import (
    Tip,
    TipGoal,
    TipMenuItem,
)


def performer_by_id(performer_id: str) -> User:
    performer = User.objects.filter(pk=performer_id, role=Role.PERFORMER, is_active=True).first()
    if performer is None:
        raise errors.NotAPerformer()
    return performer


def performer_by_login(login: str) -> User:
    performer = User.objects.filter(login=login.lower(), role=Role.PERFORMER, is_active=True).first()
    if performer is None:
        raise errors.NotAPerformer()
    return performer


def tip_menu_of(performer: Any, *, include_inactive: bool = False) -> QuerySet[TipMenuItem]:
    qs = TipMenuItem.objects.filter(performer_id=performer.pk)
    return qs if include_inactive else qs.filter(active=True)


def goal_progress(goal: TipGoal) -> int:
    if goal.status == TipGoal.Status.REACHED:
        return goal.target
    if goal.status != TipGoal.Status.ACTIVE or goal.started_at is None:
        return 0
    total = Tip.objects.filter(performer_id=goal.performer_id, created_at__gte=goal.started_at).aggregate(
        s=Sum("amount")
    )["s"]
    return int(total or 0)


def goals_of(performer: Any) -> QuerySet[TipGoal]:
    return TipGoal.objects.filter(performer_id=performer.pk).order_by("position", "created_at")


def _goal_summary(active: TipGoal | None) -> dict[str, Any] | None:
    if active is None:
        return None
    progress = goal_progress(active)
    return {
        "id": active.pk,
        "title": active.title,
        "target": active.target,
        "progress": min(progress, active.target),
        "percent": min(100, progress * 100 // active.target),
    }


def active_goal(performer_id: Any) -> dict[str, Any] | None:
    """The active goal with its progress (what chat announces after a tip), or None."""
    return _goal_summary(TipGoal.objects.filter(performer_id=performer_id, status=TipGoal.Status.ACTIVE).first())


def tip_panel_viewer(user: Any, performer: Any) -> str:
    """Who looks at a performer's tip panel: "anonymous" (log in to tip), "self" (the performer: read-only,
    edit in the studio), "tipper" (may tip: the form) or "cannot_tip" (a role without TIP_SEND, e.g. staff)."""
    if user is None or not user.is_authenticated:
        return "anonymous"
    if user.pk == performer.pk:
        return "self"
    return "tipper" if role_has(user.role, Perm.TIP_SEND) else "cannot_tip"


def tip_panel(performer: User) -> dict[str, Any]:
    """What a room page shows: the tip menu, the active goal with progress, the goals after it, recent tips."""
    goals = list(goals_of(performer).filter(status__in=[TipGoal.Status.ACTIVE, TipGoal.Status.QUEUED]))
    active = next((g for g in goals if g.status == TipGoal.Status.ACTIVE), None)
    goal = _goal_summary(active)
    recent = Tip.objects.filter(performer=performer).select_related("sender").order_by("-created_at")[:10]
    return {
        "performer_id": performer.pk,
        "performer_login": performer.login,
        "performer_name": performer.shown_name,
        "menu": [{"id": i.pk, "label": i.label, "price": i.price} for i in tip_menu_of(performer)],
        "goal": goal,
        "next_goals": [{"id": g.pk, "title": g.title, "target": g.target} for g in goals if g is not active],
        "recent_tips": [
            {
                "amount": t.amount,
                "sender_name": "Anonymous" if t.anonymous else t.sender.shown_name,
                "message": t.menu_label or t.message,
                "created_at": t.created_at,
            }
            for t in recent
        ],
    }


def studio_tip_tools(performer: Any) -> dict[str, Any]:
    """What the studio's tip menu and goal editors show: every menu item (hidden ones too), the running goal
    with its progress, the queue after it, and the last goals reached."""
    goals = list(goals_of(performer).filter(status__in=[TipGoal.Status.ACTIVE, TipGoal.Status.QUEUED]))
    active = next((g for g in goals if g.status == TipGoal.Status.ACTIVE), None)
    return {
        "menu": list(tip_menu_of(performer, include_inactive=True).order_by("position", "price", "created_at")),
        "active_goal": active,
        "active_summary": _goal_summary(active),
        "queued_goals": [g for g in goals if g is not active],
        "reached_goals": list(
            TipGoal.objects.filter(performer_id=performer.pk, status=TipGoal.Status.REACHED).order_by("-reached_at")[:5]
        ),
    }
