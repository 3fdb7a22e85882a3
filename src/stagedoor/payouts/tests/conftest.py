"""Payouts test fixtures: every test starts with the payee gate's cache of confirmed matches empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stagedoor.payouts.selectors import confirmed_matches_forget


@pytest.fixture(autouse=True)
def _fresh_confirmed_matches() -> Iterator[None]:
    confirmed_matches_forget()
    yield
    confirmed_matches_forget()
