"""Badges once per person, rule and period; levels recomputed in full from the ledger and the broadcasts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.community import levels, selectors, services
from stagedoor.community.models import BadgeAward, Contest, UserLevel
from stagedoor.community.tests.conftest import broadcast, make_contest, tip
from stagedoor.wallet import services as wallet

pytestmark = pytest.mark.django_db


def _badges(user: Any) -> list[tuple[str, str]]:
    return sorted(BadgeAward.objects.filter(user=user).values_list("rule", "period"))


def test_first_tip_badge_once_and_viewer_level_from_the_ledger(
    make_user: Callable[..., Any], funded: Callable[..., Any], django_capture_on_commit_callbacks: Any
) -> None:
    star = make_user("performer")
    fan = funded(3000)
    assert _badges(fan) == []
    with django_capture_on_commit_callbacks(execute=True):
        tip(fan, star, 60)  # the tip.sent handler runs after commit
    assert _badges(fan) == [(levels.FIRST_TIP, "")]
    level = UserLevel.objects.get(user=fan)
    assert (level.tokens_spent, level.viewer_level) == (60, 1)
    with django_capture_on_commit_callbacks(execute=True):
        second = tip(fan, star, 450)
    assert _badges(fan) == [(levels.FIRST_TIP, "")]  # still once
    level.refresh_from_db()
    assert (level.tokens_spent, level.viewer_level) == (510, 3)
    wallet.tip_refund(actor=make_user("finance"), tip_id=second.pk, reason="duplicate")
    level = services.level_recompute(user_id=fan.pk)
    assert (level.tokens_spent, level.viewer_level) == (60, 1)


def test_badge_award_is_idempotent_and_rejects_unknown_rules(make_user: Callable[..., Any]) -> None:
    person = make_user("viewer")
    assert services.badge_award(user_id=person.pk, rule=levels.TOP_SUPPORTER, period="2026-04:x") is True
    assert services.badge_award(user_id=person.pk, rule=levels.TOP_SUPPORTER, period="2026-04:x") is False
    assert services.badge_award(user_id=person.pk, rule=levels.TOP_SUPPORTER, period="2026-05:x") is True
    with pytest.raises(ValueError, match="unknown badge rule"):
        services.badge_award(user_id=person.pk, rule="nonsense")
    assert BadgeAward.objects.filter(user=person).count() == 2


def test_performer_level_needs_hours_and_earnings_and_100_hours_gives_the_badge(
    make_user: Callable[..., Any], funded: Callable[..., Any]
) -> None:
    star = make_user("performer")
    now = timezone.now()
    broadcast(star, started=now - timedelta(hours=60), ended=now - timedelta(hours=5))  # 55 h
    level = services.level_recompute(user_id=star.pk, now=now)
    assert (level.seconds_streamed, level.tokens_earned, level.performer_level) == (55 * 3600, 0, 1)
    fan = funded(20_000)
    tip(fan, star, 20_000)  # the performer's share (50 % by default) is what counts as earned
    level = services.level_recompute(user_id=star.pk, now=now)
    assert (level.tokens_earned, level.performer_level) == (10_000, 3)
    assert _badges(star) == []
    broadcast(star, started=now - timedelta(hours=50), ended=now)  # 105 h in all
    services.level_recompute(user_id=star.pk, now=now)
    services.level_recompute(user_id=star.pk, now=now)
    assert _badges(star) == [(levels.HOURS_100, "")]


def test_awards_pass_settles_an_ended_contest_once(
    make_user: Callable[..., Any], admin: Any, funded: Callable[..., Any]
) -> None:
    ana, bea = make_user("performer", login="ana"), make_user("performer", login="bea")
    contest = make_contest(admin, entrants=(ana, bea), starts=timedelta(hours=-3), ends=timedelta(minutes=30))
    fan = funded(500)
    tip(fan, bea, 70)
    tip(fan, ana, 20)
    later = timezone.now() + timedelta(hours=1)
    tally = services.awards_pass(now=later)
    assert tally.contests == 1
    contest.refresh_from_db()
    assert contest.settled_at == later
    assert _badges(bea) == [(levels.CONTEST_WINNER, contest.pk)]
    assert services.awards_pass(now=later + timedelta(minutes=1)).contests == 0
    assert BadgeAward.objects.filter(rule=levels.CONTEST_WINNER).count() == 1
    # a contest nobody scored in has no winner
    cleo = make_user("performer", login="cleo")
    empty = make_contest(
        admin, slug="empty-cup", entrants=(cleo,), starts=timedelta(hours=-2), ends=timedelta(minutes=5)
    )
    assert services.contest_settle(contest=empty) is None
    assert Contest.objects.get(pk=empty.pk).settled_at is not None


def test_awards_pass_recomputes_levels_of_people_whose_money_moved(
    make_user: Callable[..., Any], funded: Callable[..., Any]
) -> None:
    star = make_user("performer")
    fan = funded(300)
    wallet.charge(payer=fan, payee=star, amount=120, key="test-charge-minute-1", item="show_minute", ref="show-1")
    assert not UserLevel.objects.filter(user=fan).exists()  # a charge is not a tip: no handler ran
    tally = services.awards_pass()
    assert tally.levels >= 2
    assert UserLevel.objects.get(user=fan).tokens_spent == 120
    assert UserLevel.objects.get(user=star).tokens_earned == selectors.tokens_earned(star.pk) > 0
    # the next pass reads the previous pass's entries again (late commits): same values, nothing added
    services.awards_pass()
    assert UserLevel.objects.get(user=fan).tokens_spent == 120


def test_top_supporter_of_the_month_from_the_rollup_and_its_tail(
    make_user: Callable[..., Any], funded: Callable[..., Any]
) -> None:
    from stagedoor.analytics.services import ledger_rollup

    ana, bea = make_user("performer", login="ana"), make_user("performer", login="bea")
    big, small, shy = funded(1000), funded(1000), funded(1000)
    tip(big, ana, 300)
    tip(small, ana, 100)
    ledger_rollup(gap_grace=0)  # part of the month rolled up…
    tip(small, ana, 150)  # …and part still in the tail: small has 250, big 300
    tip(small, bea, 40)
    wallet.tip_send(sender=shy, performer=bea, amount=500, idempotency_key="test-anon-tip-1", anonymous=True)
    now = timezone.now()
    month = selectors.month_of(now)
    _start, end = selectors.month_bounds(month)
    assert services.awards_pass(now=end + timedelta(minutes=1)).top_supporters == 0  # the month's grace
    tally = services.awards_pass(now=end + timedelta(minutes=15))
    assert tally.top_supporters == 2
    assert _badges(big) == [(levels.TOP_SUPPORTER, f"{month}:{ana.pk}")]
    assert (levels.TOP_SUPPORTER, f"{month}:{bea.pk}") in _badges(small)  # the anonymous 500 is left out
    assert services.awards_pass(now=end + timedelta(minutes=20)).top_supporters == 0  # once per month
    assert selectors.is_top_supporter(big.pk, ana.pk, now=end + timedelta(days=3))
    assert not selectors.is_top_supporter(small.pk, ana.pk, now=end + timedelta(days=3))
