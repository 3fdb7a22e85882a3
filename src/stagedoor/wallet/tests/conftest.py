"""Wallet test helpers: fund a wallet through a real purchase credit, read balances, check the books."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stagedoor.core.ids import new_id
from stagedoor.wallet import selectors, services
from stagedoor.wallet.verify import LedgerProblem, ledger_verify


def fund_wallet(user: Any, tokens: int) -> str:
    purchase_id = new_id()
    services.purchase_credit(
        buyer=user, tokens=tokens, purchase_id=purchase_id, price_minor=tokens * 10, currency="USD", provider="test"
    )
    return purchase_id


def consent(user: Any) -> Any:
    """The entry interstitial, passed: pages stop redirecting this user to /enter."""
    from stagedoor.accounts.services import entry_consent_record

    entry_consent_record(
        user=user, session_key="", age_confirmed=True, terms_accepted=True, ip="127.0.0.1", user_agent="test"
    )
    return user


def ledger_problems() -> list[str]:
    return [str(item) for item in ledger_verify() if isinstance(item, LedgerProblem)]


@pytest.fixture
def fund() -> Callable[[Any, int], str]:
    return fund_wallet


@pytest.fixture
def balance() -> Callable[[Any], int]:
    return selectors.wallet_balance


@pytest.fixture
def earnings_balance() -> Callable[[Any], int]:
    return lambda performer: selectors.earnings_of(performer).balance


@pytest.fixture
def performer_with_tips(make_user: Callable[..., Any]) -> dict[str, Any]:
    performer = make_user("performer")
    viewer = make_user("viewer")
    fund_wallet(viewer, 1000)
    tips = [
        services.tip_send(sender=viewer, performer=performer, amount=amount, idempotency_key=f"fixture-tip-{i:04d}")
        for i, amount in enumerate([10, 25, 7, 100, 1])
    ]
    return {"performer": performer, "viewer": viewer, "tips": tips}


@pytest.fixture(autouse=True)
def _commission_cache_fresh() -> Iterator[None]:
    """Each test starts and ends with an empty commission-rule cache (its rules are rolled back or flushed)."""
    from stagedoor.wallet.selectors.commission import commission_cache_reset

    commission_cache_reset()
    yield
    commission_cache_reset()
