"""The performer dashboard, the finance section and the API: figures from the roll-ups, CSV, permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from stagedoor.analytics import services
from stagedoor.core.ids import new_id
from stagedoor.wallet import services as wallet
from stagedoor.web.tests.console_helpers import client_for, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(make_user: Any) -> dict[str, Any]:
    performer = make_user("performer")
    fan = make_user("viewer")
    shy = make_user("viewer")
    for viewer, provider in ((fan, "sandbox"), (shy, "ccbill")):
        wallet.purchase_credit(
            buyer=viewer, tokens=500, purchase_id=new_id(), price_minor=4999, currency="USD", provider=provider
        )
    wallet.tip_send(sender=fan, performer=performer, amount=40, idempotency_key="dash-tip-0001")
    wallet.tip_send(sender=shy, performer=performer, amount=15, idempotency_key="dash-tip-0002", anonymous=True)
    wallet.charge(payer=fan, payee=performer, amount=30, key="dash-charge-1", item="show_minute", ref="p1")
    wallet.charge(payer=fan, payee=performer, amount=20, key="dash-charge-2", item="fanclub", ref="m1")
    services.ledger_rollup(gap_grace=0)
    return {"performer": performer, "fan": fan, "shy": shy}


def test_performer_page_and_csv(activity: dict[str, Any]) -> None:
    client = client_for(activity["performer"])
    page = client.get("/studio/dashboard?days=90")
    assert page.status_code == 200
    board = page.context["board"]
    assert board.days == 90 and len(board.labels) == 90
    gross = 40 + 15 + 30 + 20
    assert board.earnings_total == sum(e.amount for e in activity["performer"].ledger_accounts.get().entries.all())
    assert 0 < board.earnings_total < gross  # the performer's share
    assert [(s.name, s.tokens) for s in board.supporters] == [(activity["fan"].login, 90), ("Anonymous", 15)]
    assert board.minutes[-1] == 1 and board.payers[-1] == 2
    assert b"No payouts yet" in page.content
    response = client.get("/studio/dashboard.csv?table=supporters&days=30")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["supporter", "tokens", "payments"], [activity["fan"].login, "90", "3"], ["Anonymous", "15", "1"]]


def test_finance_section_and_csv(activity: dict[str, Any], make_user: Any) -> None:
    _, client = staff(make_user, "finance")
    page = client.get("/staff/finance/")
    assert page.status_code == 200
    board = page.context["board"]
    assert board.sales_tokens[-1] == 1000
    assert board.sales_money == {"USD": [0] * 29 + [9998]}
    assert {p.provider: (p.purchases, p.chargebacks) for p in board.providers} == {
        "ccbill": (1, 0),
        "sandbox": (1, 0),
    }
    assert board.wallets == 1000 - 105
    assert board.holds == 0
    assert board.earnings_owed + sum(board.revenue_total.values()) == 105
    rows = list(csv.reader(io.StringIO(client.get("/staff/finance/export.csv?table=chargebacks").content.decode())))
    assert rows[0] == ["provider", "purchases", "chargebacks", "rate"] and len(rows) == 3


@pytest.mark.parametrize(
    ("role", "performer_page", "finance_page"),
    [
        ("viewer", 403, 403),
        ("performer", 200, 403),
        ("finance", 403, 200),
        ("admin", 200, 200),
        ("support_l1", 403, 403),
    ],
)
def test_who_sees_which_dashboard(make_user: Any, role: str, performer_page: int, finance_page: int) -> None:
    user = make_user(role)
    client = client_for(user)
    assert client.get("/studio/dashboard").status_code == performer_page
    finance = client.get("/staff/finance/")
    assert (finance.status_code == 200) == (finance_page == 200)
    if finance_page != 200:
        assert finance.status_code in (302, 403, 404)


def test_api_dashboards(activity: dict[str, Any], make_user: Any, api_client: Any) -> None:
    mine = api_client(activity["performer"]).get("/api/v1/me/dashboard?days=30")
    assert mine.status_code == 200
    body = mine.json()
    assert body["supporters"][0] == {"name": activity["fan"].login, "tokens": 90, "payments": 3, "anonymous": False}
    assert api_client(activity["fan"]).get("/api/v1/me/dashboard").status_code == 403
    assert api_client(activity["performer"]).get("/api/v1/me/dashboard?days=7").status_code == 422
    finance = api_client(make_user("finance")).get("/api/v1/analytics/finance?days=90")
    assert finance.status_code == 200 and finance.json()["wallets"] == 895
    assert api_client(activity["performer"]).get("/api/v1/analytics/finance").status_code == 403
