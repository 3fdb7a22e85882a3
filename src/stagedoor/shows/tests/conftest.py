"""Shows test helpers: a performer with a room, funded viewers, the books checked after each test."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.rooms.services import room_for_performer
from stagedoor.shows.models import Participant
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

__all__ = ["fund_wallet", "ledger_problems"]


def shows_settings(settings: Any, **changes: Any) -> None:
    """Change `settings.STAGEDOOR.shows` for one test (pytest-django's `settings` restores it)."""
    settings.STAGEDOOR = dataclasses.replace(
        settings.STAGEDOOR, shows=dataclasses.replace(settings.STAGEDOOR.shows, **changes)
    )


def make_due(participant: Participant, *, seconds_left: float = 1.0) -> None:
    """Bring a seat's next minute within the bill-ahead window, as the clock would (its page still open)."""
    now = timezone.now()
    Participant.objects.filter(pk=participant.pk).update(
        paid_until=now + timedelta(seconds=seconds_left), last_seen=now
    )


@pytest.fixture
def performer(make_user: Callable[..., Any]) -> Any:
    user = make_user("performer")
    room_for_performer(performer=user)
    return user


@pytest.fixture
def viewer_with(make_user: Callable[..., Any]) -> Callable[[int], Any]:
    """`viewer_with(tokens)`: a new viewer whose wallet holds `tokens`."""

    def make(tokens: int) -> Any:
        user = make_user("viewer")
        if tokens:
            fund_wallet(user, tokens)
        return user

    return make


@pytest.fixture
def balance() -> Callable[[Any], int]:
    return wallet_selectors.wallet_balance


@pytest.fixture
def earnings() -> Callable[[Any], int]:
    return lambda performer: wallet_selectors.earnings_of(performer).balance


@pytest.fixture(autouse=True)
def _books_balance(request: pytest.FixtureRequest) -> Any:
    """Every shows test that touched the database ends with a consistent ledger."""
    yield
    uses_db = request.node.get_closest_marker("django_db") is not None
    if uses_db or {"db", "transactional_db"} & set(request.fixturenames):
        assert ledger_problems() == []
