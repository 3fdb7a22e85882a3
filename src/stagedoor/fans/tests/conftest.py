"""Fans test helpers: a performer with an open fan club, funded viewers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.fans import services
from stagedoor.fans.models import FanClub
from stagedoor.wallet.tests.conftest import fund_wallet


@pytest.fixture
def club(make_user: Callable[..., Any]) -> FanClub:
    performer = make_user("performer")
    return services.club_configure(performer=performer, price=100, discount_bp=1000, enabled=True)


@pytest.fixture
def funded(make_user: Callable[..., Any]) -> Callable[[int], Any]:
    def make(tokens: int) -> Any:
        user = make_user()
        if tokens:
            fund_wallet(user, tokens)
        return user

    return make
