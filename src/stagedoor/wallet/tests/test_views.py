"""The wallet's pages: a performer's earnings (and its CSV) and the stand-alone tip page."""

from __future__ import annotations

from typing import Any

import pytest

from stagedoor.wallet import services
from stagedoor.wallet.tests.conftest import consent, fund_wallet

pytestmark = pytest.mark.django_db


def test_earnings_and_tip_pages(make_user: Any, api_client: Any) -> None:
    viewer = consent(make_user("viewer"))
    star = consent(make_user("performer", login="stage_star"))
    fund_wallet(viewer, 300)
    services.tip_send(sender=viewer, performer=star, amount=30, idempotency_key="page-tip-0001")
    assert api_client(viewer).get("/earnings").status_code == 403
    earnings = api_client(star).get("/earnings")
    assert earnings.status_code == 200 and b'data-testid="earned-total">15<' in earnings.content
    csv_page = api_client(star).get("/earnings.csv")
    assert csv_page["Content-Type"].startswith("text/csv") and csv_page.content.count(b"\n") == 2
    tip_page = api_client(viewer).get("/tip/stage_star")
    assert tip_page.status_code == 200 and b"data-tip-panel" in tip_page.content
    assert api_client(viewer).get("/tip/nobody").status_code == 404
