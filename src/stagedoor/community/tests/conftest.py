"""Community test helpers: a running contest with entrants, funded viewers, broadcasts at chosen times."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.community import services
from stagedoor.community.models import Contest, Event
from stagedoor.core.ids import new_id
from stagedoor.verification.models import Broadcast
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import Tip
from stagedoor.wallet.tests.conftest import fund_wallet


def make_contest(
    actor: Any,
    *,
    slug: str = "spring-cup",
    metric: str = Contest.Metric.TIPS,
    starts: timedelta = timedelta(hours=-1),
    ends: timedelta = timedelta(hours=2),
    entrants: tuple[Any, ...] = (),
) -> Contest:
    now = timezone.now()
    contest = services.contest_create(
        actor=actor,
        slug=slug,
        title=slug.replace("-", " ").title(),
        metric=metric,
        starts_at=now + starts,
        ends_at=now + ends,
    )
    for performer in entrants:
        services.contest_enter(performer=performer, contest_id=contest.pk)
    return contest


def make_event(actor: Any, *, slug: str = "latex-night", starts: timedelta = timedelta(hours=-1)) -> Event:
    now = timezone.now()
    return services.event_create(
        actor=actor,
        slug=slug,
        title=slug.replace("-", " ").title(),
        starts_at=now + starts,
        ends_at=now + starts + timedelta(hours=4),
    )


def tip(sender: Any, performer: Any, amount: int) -> Tip:
    return wallet.tip_send(sender=sender, performer=performer, amount=amount, idempotency_key=f"test-{new_id()}")


def broadcast(performer: Any, *, started: datetime, ended: datetime | None) -> Broadcast:
    return Broadcast.objects.create(
        room_id=f"R{performer.pk[-10:]}",
        performer=performer,
        stage_name=performer.login,
        started_at=started,
        ended_at=ended,
    )


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("admin", login="ada_admin")


@pytest.fixture
def funded(make_user: Callable[..., Any]) -> Callable[..., Any]:
    def make(tokens: int, **kwargs: Any) -> Any:
        user = make_user("viewer", **kwargs)
        fund_wallet(user, tokens)
        return user

    return make
