"""The fans console: a person's fan club panel (memberships and own club), the fan clubs section, and ending a
membership (finance and admins only, audited, perks gone at once, no refund)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.core.models import AuditEntry
from stagedoor.fans import selectors, services
from stagedoor.fans.models import FanClub, Membership
from stagedoor.wallet.selectors import wallet_balance
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(club: FanClub, funded: Callable[[int], Any]) -> Membership:
    viewer = funded(500)
    return services.membership_join(user=viewer, performer_id=club.performer_id)


def test_the_person_page_shows_memberships_and_own_club(
    club: FanClub, member: Membership, make_user: Callable[..., Any]
) -> None:
    support = make_user("support_l1", mfa=True)
    page = client_for(support).get(f"/staff/users/{member.user_id}/").content.decode()
    assert 'data-testid="panel-fans"' in page
    assert re.search(r'data-testid="person-membership" data-status="active"', page)
    assert club.performer.login in page
    assert 'data-testid="membership-end"' not in page  # support reads, does not end
    performer_page = client_for(support).get(f"/staff/users/{club.performer_id}/").content.decode()
    assert 'data-testid="person-fan-club"' in performer_page and "1 member in good standing" in performer_page
    # someone with no club and no membership gets no panel
    other = make_user()
    assert 'data-testid="panel-fans"' not in client_for(support).get(f"/staff/users/{other.pk}/").content.decode()


def test_finance_ends_a_membership_audited_and_the_perks_stop(
    club: FanClub, member: Membership, make_user: Callable[..., Any]
) -> None:
    finance = make_user("finance", mfa=True)
    client = client_for(finance)
    section = client.get(f"/staff/fan-clubs/?q={club.performer.login}").content.decode()
    assert 'data-testid="fan-club-member" data-status="active"' in section and 'data-testid="membership-end"' in section
    balance = wallet_balance(member.user)
    back = f"/staff/users/{member.user_id}/"
    response = client.post(
        f"/staff/fan-clubs/memberships/{member.pk}/end", {"reason": "chargeback on the first period", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    member.refresh_from_db()
    assert member.status == Membership.Status.ENDED
    assert not selectors.is_fan(user_id=member.user_id, performer_id=club.performer_id)
    assert wallet_balance(member.user) == balance  # no refund here
    [entry] = AuditEntry.objects.filter(action="fans.membership_end")
    assert entry.actor_id == finance.pk and entry.data == {"reason": "chargeback on the first period"}
    # an empty reason is refused and changes nothing
    again = client.post(f"/staff/fan-clubs/memberships/{member.pk}/end", {"reason": " ", "next": back})
    assert again.status_code == 302 and AuditEntry.objects.filter(action="fans.membership_end").count() == 1


@pytest.mark.parametrize("role", ["support_l1", "support_l2"])
def test_support_may_read_but_not_end(
    role: str, club: FanClub, member: Membership, make_user: Callable[..., Any]
) -> None:
    client = client_for(make_user(role, mfa=True))
    assert client.get("/staff/fan-clubs/").status_code == 200
    response = client.post(f"/staff/fan-clubs/memberships/{member.pk}/end", {"reason": "abuse"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == Membership.Status.ACTIVE
    assert not AuditEntry.objects.filter(action="fans.membership_end").exists()


def test_an_unknown_membership_is_not_found(make_user: Callable[..., Any]) -> None:
    client = client_for(make_user("admin", mfa=True))
    response = client.post("/staff/fan-clubs/memberships/01AAAAAAAAAAAAAAAAAAAAAAAA/end", {"reason": "abuse"})
    assert response.status_code == 404
