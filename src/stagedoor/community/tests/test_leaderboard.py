"""Leaderboards come from the ledger's tip rows (less reversals) and the broadcasts, inside the contest window."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.community import selectors
from stagedoor.community.models import Contest
from stagedoor.community.tests.conftest import broadcast, make_contest, tip
from stagedoor.wallet import services as wallet

pytestmark = pytest.mark.django_db


def _scores(contest: Contest) -> list[tuple[int, str, int]]:
    return [(s.rank, s.login, s.score) for s in selectors.leaderboard(contest)]


def test_tips_in_the_window_from_entrants_only_less_refunds(
    make_user: Callable[..., Any], admin: Any, funded: Callable[..., Any]
) -> None:
    ana, bea, cleo = (make_user("performer", login=name) for name in ("ana", "bea", "cleo"))
    contest = make_contest(admin, entrants=(ana, bea))
    fan = funded(1000)
    tip(fan, ana, 500)
    assert _scores(contest) == [(1, "ana", 500), (2, "bea", 0)]

    tip(fan, bea, 120)
    tip(fan, cleo, 200)  # not in the contest
    refunded = tip(fan, bea, 30)
    assert _scores(contest) == [(1, "ana", 500), (2, "bea", 150)]
    wallet.tip_refund(actor=make_user("finance"), tip_id=refunded.pk, reason="sent by mistake")
    assert _scores(contest) == [(1, "ana", 500), (2, "bea", 120)]


def test_a_tip_before_the_window_does_not_count(
    make_user: Callable[..., Any], admin: Any, funded: Callable[..., Any]
) -> None:
    ana = make_user("performer", login="ana")
    fan = funded(100)
    tip(fan, ana, 40)
    contest = make_contest(admin, starts=timedelta(seconds=1), ends=timedelta(hours=1), entrants=(ana,))
    later = make_contest(admin, slug="later-cup", starts=timedelta(minutes=-5), entrants=(ana,))
    assert _scores(contest) == [(1, "ana", 0)]
    assert _scores(later) == [(1, "ana", 40)]


def test_ties_rank_by_who_entered_first(make_user: Callable[..., Any], admin: Any) -> None:
    zed, amy = make_user("performer", login="zed"), make_user("performer", login="amy")
    contest = make_contest(admin, entrants=(zed, amy))
    assert _scores(contest) == [(1, "zed", 0), (2, "amy", 0)]


def test_minutes_streamed_clip_to_the_window(make_user: Callable[..., Any], admin: Any) -> None:
    ana, bea = make_user("performer", login="ana"), make_user("performer", login="bea")
    contest = make_contest(admin, metric=Contest.Metric.MINUTES, starts=timedelta(hours=-2), entrants=(ana, bea))
    now = timezone.now()
    start = contest.starts_at
    broadcast(ana, started=start - timedelta(hours=1), ended=start + timedelta(minutes=30))  # 30 min inside
    broadcast(ana, started=start + timedelta(minutes=40), ended=start + timedelta(minutes=50))  # 10 more
    broadcast(bea, started=now - timedelta(minutes=45), ended=None)  # on air: 45 min so far
    broadcast(bea, started=start - timedelta(hours=3), ended=start - timedelta(hours=2))  # before: nothing
    assert _scores(contest) == [(1, "bea", 45), (2, "ana", 40)]


def test_the_board_is_the_sum_of_the_tips(
    make_user: Callable[..., Any], admin: Any, funded: Callable[..., Any]
) -> None:
    """Twenty tips of random sizes to three entrants: each score is exactly the sum of that performer's tips."""
    rng = random.Random(20260501)
    performers = [make_user("performer") for _ in range(3)]
    contest = make_contest(admin, entrants=tuple(performers))
    fan = funded(2000)
    expected = dict.fromkeys((p.login for p in performers), 0)
    for _ in range(20):
        who, amount = rng.randrange(3), rng.randint(1, 60)
        tip(fan, performers[who], amount)
        expected[performers[who].login] += amount
    board = selectors.leaderboard(contest)
    assert {s.login: s.score for s in board} == expected
    assert [s.score for s in board] == sorted(expected.values(), reverse=True)
    assert [s.rank for s in board] == [1, 2, 3]
