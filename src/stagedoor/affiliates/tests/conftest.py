"""Affiliates test fixtures: a finance member, plans, a partner with a link, and helpers that click, sign up and buy
the way a person does (the redirect, the sign-up page, a credited purchase)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.affiliates import services
from stagedoor.affiliates.models import Affiliate, CommissionPlan
from stagedoor.conftest import TEST_PASSWORD
from stagedoor.core.ids import new_id
from stagedoor.wallet import services as wallet

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
OTHER_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
)


@pytest.fixture
def finance(make_user: Callable[..., Any]) -> Any:
    return make_user("finance", login="fiona_fin")


@pytest.fixture
def revshare(finance: Any) -> CommissionPlan:
    return services.plan_create(
        actor=finance, name="Revenue 25", kind="revshare", share_bp=2500, months=3, window_days=30
    )


@pytest.fixture
def cpa(finance: Any) -> CommissionPlan:
    return services.plan_create(actor=finance, name="CPA 300", kind="cpa", cpa_tokens=300, window_days=14)


@pytest.fixture
def partner(make_user: Callable[..., Any], finance: Any, revshare: CommissionPlan) -> Affiliate:
    user = make_user("viewer", login="partnerco")
    return services.affiliate_create(actor=finance, user=user, plan_id=revshare.pk, code="partnerco")


def click(client: Client, code: str, *, ip: str = "203.0.113.7", ua: str = BROWSER_UA, **query: str) -> Any:
    return client.get(f"/ref/{code}", query, REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


def signup(client: Client, login: str, *, ip: str = "203.0.113.7", ua: str = BROWSER_UA) -> Any:
    data = {"email": f"{login}@example.test", "login": login, "password": TEST_PASSWORD, "display_name": ""}
    return client.post("/signup", data, REMOTE_ADDR=ip, HTTP_USER_AGENT=ua)


@pytest.fixture
def referred(capture: Any) -> Callable[..., Any]:
    """`referred(code, login, ip=…, ua=…)`: a new browser clicks the link and signs up; returns the new user."""
    from stagedoor.accounts.models import User

    def make(code: str, login: str, *, ip: str = "203.0.113.7", ua: str = BROWSER_UA) -> Any:
        client = Client()
        assert click(client, code, ip=ip, ua=ua).status_code == 302
        with capture(execute=True):
            response = signup(client, login, ip=ip, ua=ua)
        assert response.status_code == 302, response.content[:500]
        return User.objects.get(login=login)

    return make


@pytest.fixture
def capture(django_capture_on_commit_callbacks: Any) -> Any:
    return django_capture_on_commit_callbacks


@pytest.fixture
def buy(capture: Any) -> Callable[..., str]:
    """`buy(user, tokens)`: a purchase credited by the wallet (after commit, as the outbox delivers it)."""

    def make(user: Any, tokens: int) -> str:
        purchase_id = new_id()
        with capture(execute=True):
            wallet.purchase_credit(
                buyer=user,
                tokens=tokens,
                purchase_id=purchase_id,
                price_minor=tokens * 10,
                currency="USD",
                provider="sandbox",
            )
        return purchase_id

    return make
