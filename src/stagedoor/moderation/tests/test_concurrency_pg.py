"""On PostgreSQL: moderators racing for one case (exactly one holds it, one decision), the same message held and
reported at once (one open case), and one appeal per decision when it is sent twice at once. Skipped on SQLite
(one writer at a time there; the point is PostgreSQL's row locks and unique-index waits)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.db import connection

from stagedoor.conftest import race, skip_or_fail
from stagedoor.core.errors import ApplicationError
from stagedoor.moderation import services
from stagedoor.moderation.models import Appeal, Case, Decision

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_moderators_racing_for_a_case(make_user: Any) -> None:
    mods = [make_user("moderator", login=f"racer{i}") for i in range(6)]
    case, _ = services.case_open(source="staff", category="harassment")
    claims = race(catch=ApplicationError, calls=[partial(services.case_claim, actor=m, case_id=case.pk) for m in mods])
    winners = [r for r in claims if isinstance(r, Case)]
    assert len(winners) == 1 and all(
        getattr(r, "code", "") == "moderation.case_held" for r in claims if r not in winners
    )
    case.refresh_from_db()
    assert case.claimed_by_id == winners[0].claimed_by_id
    decisions = race(
        catch=ApplicationError,
        calls=[
            partial(services.case_decide, actor=m, case_id=case.pk, policy_code="NONE-0", action="dismiss")
            for m in mods
        ],
    )
    assert sum(isinstance(r, Decision) for r in decisions) == 1
    assert Decision.objects.count() == 1


def test_the_same_key_opened_at_once_is_one_case() -> None:
    results = race(
        catch=ApplicationError,
        calls=[
            partial(
                services.case_open,
                source="user_report",
                category="spam",
                dedupe_key="message:racing",
                evidence={"reports": [{"id": str(i)}]},
            )
            for i in range(8)
        ],
    )
    assert sum(1 for _, created in results if created) == 1
    case = Case.objects.get()
    assert case.hits == 8 and sorted(r["id"] for r in case.evidence["reports"]) == [str(i) for i in range(8)]


def test_one_appeal_when_sent_twice_at_once(make_user: Any) -> None:
    moderator = make_user("moderator")
    troll = make_user("viewer")
    case, _ = services.case_open(source="staff", category="harassment", subject=troll)
    decision = services.case_decide(actor=moderator, case_id=case.pk, policy_code="HAR-1", action="suspend_account")
    results = race(
        catch=ApplicationError,
        calls=[
            partial(services.appeal_file, appellant=troll, decision_id=decision.pk, text=t)
            for t in ("one", "two", "three")
        ],
    )
    assert sum(isinstance(r, Appeal) for r in results) == 1
    assert [getattr(r, "code", None) for r in results if not isinstance(r, Appeal)] == ["moderation.appeal_exists"] * 2
    assert Appeal.objects.count() == 1 and Case.objects.filter(source="appeal").count() == 1
