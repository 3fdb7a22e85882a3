"""On PostgreSQL: a tip storm (several writers at once) while a reader polls the leaderboard. Every score the reader
sees only grows (nothing counted then lost), and at the end each score is exactly the sum of that performer's tips.
Skipped on SQLite (one writer at a time there)."""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum

from stagedoor.community import selectors
from stagedoor.community.tests.conftest import make_contest
from stagedoor.conftest import skip_or_fail
from stagedoor.core.ids import new_id
from stagedoor.wallet import services as wallet
from stagedoor.wallet.models import Tip
from stagedoor.wallet.tests.conftest import fund_wallet

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 4
TIPS_EACH = 40


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_leaderboard_under_a_tip_storm(make_user: Callable[..., Any]) -> None:
    performers = [make_user("performer", login=f"storm{i}") for i in range(3)]
    contest = make_contest(make_user("admin"), entrants=tuple(performers))
    fans = [make_user("viewer", login=f"stormfan{i}") for i in range(WRITERS)]
    for fan in fans:
        fund_wallet(fan, 100_000)
    done = threading.Event()
    failures: list[str] = []
    seen: list[dict[str, int]] = []

    def writer(n: int) -> None:
        rng = random.Random(n)
        try:
            for _ in range(TIPS_EACH):
                wallet.tip_send(
                    sender=fans[n],
                    performer=rng.choice(performers),
                    amount=rng.randint(1, 50),
                    idempotency_key=f"storm-{new_id()}",
                )
        except Exception as exc:  # reported below
            failures.append(repr(exc))
        finally:
            close_old_connections()

    def reader() -> None:
        try:
            while not done.is_set():
                seen.append({s.login: s.score for s in selectors.leaderboard(contest)})
        finally:
            close_old_connections()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    done.set()
    watcher.join(timeout=30)
    assert failures == []
    assert len(seen) >= 2
    for before, after in itertools.pairwise(seen):
        assert all(after[login] >= before[login] for login in before), (before, after)
    expected = {p.login: int(Tip.objects.filter(performer=p).aggregate(s=Sum("amount"))["s"] or 0) for p in performers}
    assert sum(expected.values()) > 0
    assert Tip.objects.filter(performer__in=performers).count() == WRITERS * TIPS_EACH
    assert {s.login: s.score for s in selectors.leaderboard(contest)} == expected
