"""Fan clubs: settings, joining, renewals with grace, lapse, cancel, replayed passes, period boundaries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.core.errors import ValidationFailed
from stagedoor.core.jobs import run_job
from stagedoor.fans import errors, selectors, services
from stagedoor.fans.models import FanClub, Membership
from stagedoor.wallet import errors as wallet_errors
from stagedoor.wallet.models import LedgerTransfer
from stagedoor.wallet.selectors import earnings_of, wallet_balance
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
PERIOD = timedelta(days=30)  # the default STAGEDOOR_FANS_PERIOD_DAYS; grace is 3 days


def fanclub_charges(m: Membership) -> list[str]:
    return sorted(
        LedgerTransfer.objects.filter(idempotency_key__startswith=f"fanclub:{m.pk}:").values_list(
            "idempotency_key", flat=True
        )
    )


def test_a_performer_configures_within_limits(make_user: Callable[..., Any]) -> None:
    performer = make_user("performer")
    with pytest.raises(errors.InvalidPrice):
        services.club_configure(performer=performer, enabled=True)  # no price yet
    with pytest.raises(errors.InvalidPrice) as too_much:
        services.club_configure(performer=performer, price=10_001)
    assert isinstance(too_much.value, ValidationFailed) and too_much.value.extra["maximum"] == 10_000
    with pytest.raises(errors.InvalidPrice):
        services.club_configure(performer=performer, price=9)
    with pytest.raises(errors.InvalidPrice):
        services.club_configure(performer=performer, price=50, discount_bp=6000)
    club = services.club_configure(performer=performer, price=50, discount_bp=1500, enabled=True, message_price=5)
    assert (club.price, club.discount_bp, club.enabled, club.message_price) == (50, 1500, True, 5)
    assert FanClub.objects.get(performer=performer).price == 50
    with pytest.raises(errors.NotAPerformer):
        services.club_configure(performer=make_user(), price=50)


def test_join_charges_the_first_period_and_grants_the_perks(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(250)
    performer_id = club.performer_id
    assert not selectors.is_fan(user_id=viewer.pk, performer_id=performer_id)
    assert selectors.fan_discount_bp(user_id=viewer.pk, performer_id=performer_id) == 0
    before = timezone.now()
    m = services.membership_join(user=viewer, performer_id=performer_id)
    assert m.status == Membership.Status.ACTIVE and m.period_index == 0
    assert before + PERIOD <= m.current_period_end <= timezone.now() + PERIOD
    assert wallet_balance(viewer) == 150
    assert earnings_of(club.performer).balance > 0
    assert fanclub_charges(m) == [f"fanclub:{m.pk}:0"]
    assert selectors.is_fan(user_id=viewer.pk, performer_id=performer_id)
    assert selectors.fan_discount_bp(user_id=viewer.pk, performer_id=performer_id) == 1000
    assert selectors.ad_free(user_id=viewer.pk)
    with pytest.raises(errors.AlreadyMember):
        services.membership_join(user=viewer, performer_id=performer_id)
    assert wallet_balance(viewer) == 150
    assert ledger_problems() == []


def test_join_refusals_change_nothing(club: FanClub, funded: Callable[[int], Any]) -> None:
    poor = funded(99)
    with pytest.raises(wallet_errors.InsufficientBalance):
        services.membership_join(user=poor, performer_id=club.performer_id)
    assert wallet_balance(poor) == 99
    assert not Membership.objects.filter(user=poor).exists()
    with pytest.raises(errors.SelfJoin):
        services.membership_join(user=club.performer, performer_id=club.performer_id)
    services.club_configure(performer=club.performer, enabled=False)
    rich = funded(1000)
    with pytest.raises(errors.ClubClosed):
        services.membership_join(user=rich, performer_id=club.performer_id)
    assert wallet_balance(rich) == 1000


def test_renewal_charges_the_next_period_at_the_boundary_only(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(300)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    end = m.current_period_end
    # one second before the boundary: nothing is due
    assert services.memberships_renew(now=end - timedelta(seconds=1)).renewed == 0
    assert wallet_balance(viewer) == 200
    # at the boundary: the next period follows without a gap
    assert services.memberships_renew(now=end).renewed == 1
    m.refresh_from_db()
    assert (m.period_index, m.status) == (1, Membership.Status.ACTIVE)
    assert m.current_period_start == end and m.current_period_end == end + PERIOD
    assert wallet_balance(viewer) == 100
    assert fanclub_charges(m) == [f"fanclub:{m.pk}:0", f"fanclub:{m.pk}:1"]


def test_replayed_passes_never_charge_twice(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(1000)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    later = m.current_period_end + timedelta(hours=1)
    first = services.memberships_renew(now=later)
    second = services.memberships_renew(now=later)
    third = run_job("fans.renew", later.isoformat())
    assert (first.renewed, second.renewed, third) == (1, 0, 0)
    assert wallet_balance(viewer) == 800
    m.refresh_from_db()
    assert m.period_index == 1
    # a pass that crashed after the charge but before the membership row moved: the replay finds the paid key
    Membership.objects.filter(pk=m.pk).update(period_index=0, current_period_end=m.current_period_start)
    assert services.memberships_renew(now=later).renewed == 1
    assert wallet_balance(viewer) == 800
    assert fanclub_charges(m) == [f"fanclub:{m.pk}:0", f"fanclub:{m.pk}:1"]
    assert ledger_problems() == []


def test_a_short_wallet_enters_grace_retries_then_recovers(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(150)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    end = m.current_period_end
    assert services.memberships_renew(now=end).grace == 1
    m.refresh_from_db()
    assert m.status == Membership.Status.GRACE and m.grace_until == end + 3 * DAY
    assert wallet_balance(viewer) == 50
    # in grace the perks stay
    assert selectors.is_fan(user_id=viewer.pk, performer_id=club.performer_id) is True
    # a retry a day later, still short: waits
    assert services.memberships_renew(now=end + DAY).waiting == 1
    fund_wallet(viewer, 60)
    assert services.memberships_renew(now=end + 2 * DAY).renewed == 1
    m.refresh_from_db()
    assert m.status == Membership.Status.ACTIVE and m.period_index == 1 and m.grace_until is None
    assert m.current_period_start == end and m.current_period_end == end + PERIOD  # grace was credit, not free
    assert wallet_balance(viewer) == 10


def test_grace_runs_out_and_the_membership_lapses(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(100)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    end = m.current_period_end
    services.memberships_renew(now=end)
    assert services.memberships_renew(now=end + 3 * DAY).lapsed == 1
    m.refresh_from_db()
    assert m.status == Membership.Status.LAPSED
    assert not selectors.is_fan(user_id=viewer.pk, performer_id=club.performer_id)
    assert not selectors.ad_free(user_id=viewer.pk)
    assert fanclub_charges(m) == [f"fanclub:{m.pk}:0"]
    # rejoining starts a new period with the next index
    fund_wallet(viewer, 100)
    again = services.membership_join(user=viewer, performer_id=club.performer_id)
    assert again.pk == m.pk and again.period_index == 1 and again.status == Membership.Status.ACTIVE
    assert wallet_balance(viewer) == 0


def test_cancel_keeps_the_perks_until_the_period_ends_then_no_renewal(
    club: FanClub, funded: Callable[[int], Any]
) -> None:
    viewer = funded(1000)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    end = m.current_period_end
    services.membership_cancel(user=viewer, performer_id=club.performer_id)
    m.refresh_from_db()
    assert m.cancel_at_period_end and m.status == Membership.Status.ACTIVE
    assert selectors.is_fan(user_id=viewer.pk, performer_id=club.performer_id)
    assert services.memberships_renew(now=end).ended == 1
    m.refresh_from_db()
    assert m.status == Membership.Status.ENDED
    assert Membership.objects.filter(selectors.good_standing_q(end), pk=m.pk).count() == 0
    assert wallet_balance(viewer) == 900
    with pytest.raises(errors.NotMember):
        services.membership_cancel(user=viewer, performer_id=club.performer_id)


def test_rejoining_a_cancelled_running_membership_resumes_it_free(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(1000)
    services.membership_join(user=viewer, performer_id=club.performer_id)
    services.membership_cancel(user=viewer, performer_id=club.performer_id)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    assert not m.cancel_at_period_end and m.period_index == 0
    assert wallet_balance(viewer) == 900


def test_a_closed_club_ends_memberships_at_their_period_end(club: FanClub, funded: Callable[[int], Any]) -> None:
    viewer = funded(1000)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    services.club_configure(performer=club.performer, enabled=False)
    assert not selectors.is_fan(user_id=viewer.pk, performer_id=club.performer_id)
    assert services.memberships_renew(now=m.current_period_end).ended == 1
    assert wallet_balance(viewer) == 900


def test_grace_zero_lapses_at_once(club: FanClub, funded: Callable[[int], Any], settings: Any) -> None:
    cfg = settings.STAGEDOOR
    settings.STAGEDOOR = replace(cfg, fans=replace(cfg.fans, grace_days=0))
    viewer = funded(100)
    m = services.membership_join(user=viewer, performer_id=club.performer_id)
    assert services.memberships_renew(now=m.current_period_end).lapsed == 1
