"""Moderators' shifts and exposure: what they saw this shift, whether the cap is reached, whether a break is due,
and (for supervisors only) everyone's load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, Role, role_has
from stagedoor.moderation.models import Case, Decision, Exposure, ModeratorShift
from stagedoor.moderation.policies import cases_config


def shift_open(moderator: Any, *, now: datetime | None = None) -> ModeratorShift | None:
    """The moderator's shift under way: not ended, and started less than a shift's length ago."""
    now = now or timezone.now()
    since = now - timedelta(hours=cases_config().shift_hours)
    return ModeratorShift.objects.filter(moderator=moderator, ended_at__isnull=True, started_at__gt=since).first()


@dataclass(frozen=True)
class ShiftStatus:
    shift: ModeratorShift | None
    viewed: int  # graphic cases opened this shift
    revealed: int  # graphic media items revealed this shift
    cap: int
    minutes_on: int  # since the start of the shift, or the last break
    break_due: bool

    @property
    def cap_reached(self) -> bool:
        return self.revealed >= self.cap

    @property
    def cap_left(self) -> int:
        return max(0, self.cap - self.revealed)


def shift_status(moderator: Any, *, now: datetime | None = None) -> ShiftStatus:
    now = now or timezone.now()
    config = cases_config()
    shift = shift_open(moderator, now=now)
    if shift is None:
        return ShiftStatus(None, 0, 0, config.exposure_cap, 0, False)
    counts = shift.exposures.aggregate(
        viewed=Count("id", filter=Q(kind=Exposure.Kind.VIEWED)),
        revealed=Count("id", filter=Q(kind=Exposure.Kind.REVEALED)),
    )
    rested_at = max(shift.started_at, shift.last_break_at or shift.started_at)
    minutes = int((now - rested_at).total_seconds() // 60)
    return ShiftStatus(
        shift, counts["viewed"], counts["revealed"], config.exposure_cap, minutes, minutes >= config.break_min
    )


def exposure_cap_reached(moderator: Any) -> bool:
    return shift_status(moderator).cap_reached


def has_revealed(moderator: Any, case: Case, item: str) -> bool:
    """Whether this moderator revealed this media item of the case during their current shift."""
    shift = shift_open(moderator)
    return (
        shift is not None
        and Exposure.objects.filter(shift=shift, case=case, kind=Exposure.Kind.REVEALED, item=item).exists()
    )


def revealed_items(moderator: Any, case: Case) -> set[str]:
    shift = shift_open(moderator)
    if shift is None:
        return set()
    rows = Exposure.objects.filter(shift=shift, case=case, kind=Exposure.Kind.REVEALED).values_list("item", flat=True)
    return set(rows)


@dataclass(frozen=True)
class ModeratorLoad:
    moderator: User
    holding: int  # cases claimed now
    decided_today: int
    status: ShiftStatus


def moderators_load(*, now: datetime | None = None) -> list[ModeratorLoad]:
    """Every member of staff who reviews cases (not supervisors themselves): their load and this shift's exposure."""
    now = now or timezone.now()
    day_start = now - timedelta(hours=24)
    reviewers = [r for r in Role if role_has(r, Perm.MODERATION_REVIEW) and not role_has(r, Perm.MODERATION_SUPERVISE)]
    people = list(User.objects.filter(role__in=reviewers, is_active=True).order_by("login"))
    holding = dict(
        Case.objects.filter(claimed_by__in=people)
        .exclude(status=Case.Status.DECIDED)
        .values_list("claimed_by")
        .annotate(n=Count("id"))
        .values_list("claimed_by", "n")
    )
    decided = dict(
        Decision.objects.filter(moderator__in=people, created_at__gte=day_start)
        .values_list("moderator")
        .annotate(n=Count("id"))
        .values_list("moderator", "n")
    )
    return [ModeratorLoad(p, holding.get(p.pk, 0), decided.get(p.pk, 0), shift_status(p, now=now)) for p in people]


def reviewers() -> list[User]:
    """Everyone a supervisor may hand a case to."""
    roles = [r for r in Role if role_has(r, Perm.MODERATION_REVIEW)]
    return list(User.objects.filter(role__in=roles, is_active=True).order_by("login"))
