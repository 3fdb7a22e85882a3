"""In Chromium: the performer's dashboard draws its charts from the roll-ups (read back through
`Chart.getChart`), every chart's data table opens, and the page passes the accessibility checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.analytics import services
from stagedoor.core.ids import new_id
from stagedoor.payouts import services as payouts
from stagedoor.payouts.tests.helpers import IBAN, backdate, performer_named
from stagedoor.wallet import services as wallet
from stagedoor.wallet.tests.test_browser_studio import DESKTOP, audit, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_performer_dashboard_charts(browser: Any, live_server: Any, make_user: Any) -> None:
    performer = performer_named(make_user, "Lena Marie Vogt")
    payouts.payout_method_set(
        performer=performer, kind="sepa", holder_name="Lena Marie Vogt", fields={"iban": IBAN, "bic": ""}
    )
    fan, regular = make_user("viewer"), make_user("viewer")
    wallet.purchase_credit(
        buyer=fan, tokens=300, purchase_id=new_id(), price_minor=2999, currency="USD", provider="sandbox"
    )
    wallet.purchase_credit(
        buyer=regular, tokens=2000, purchase_id=new_id(), price_minor=9999, currency="USD", provider="sandbox"
    )
    # an old tip (before the 30 days shown) matured and paid in the last period's run: 1000 tokens, 0 reserve
    _start, end = payouts.period_of(timezone.now())
    old = wallet.tip_send(sender=regular, performer=performer, amount=2000, idempotency_key="browser-tip-old")
    backdate(old.transfer_id, end - timedelta(days=45))
    run, _ = payouts.payout_run_create(actor=make_user("finance"))
    wallet.tip_send(sender=fan, performer=performer, amount=50, idempotency_key="browser-tip-01")
    wallet.charge(payer=fan, payee=performer, amount=12, key="browser-minute-1", item="show_minute", ref="p")
    services.ledger_rollup(gap_grace=0)

    context, page, errors = signed_in(browser, live_server.url, performer, DESKTOP)
    try:
        page.goto(f"{live_server.url}/studio/dashboard?days=30")
        page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-earnings'))")
        earnings = page.evaluate(
            "() => Chart.getChart(document.getElementById('chart-earnings')).data.datasets"
            ".map(d => [d.label, d.data.reduce((a, b) => a + b, 0)])"
        )
        totals = dict(earnings)
        assert totals["Tips"] > 0 and totals["Private and group shows"] > 0
        supporters = page.evaluate("() => Chart.getChart(document.getElementById('chart-supporters')).data")
        assert supporters["labels"] == [fan.login] and supporters["datasets"][0]["data"] == [62]
        minutes = page.evaluate("() => Chart.getChart(document.getElementById('chart-minutes')).data.datasets[0].data")
        assert minutes[-1] == 1 and sum(minutes) == 1
        paid = page.evaluate("() => Chart.getChart(document.getElementById('chart-payouts')).data.datasets")
        assert [(d["label"], d["data"]) for d in paid] == [("Paid", [1000]), ("Kept in reserve", [0])]
        for name in ("earnings", "supporters", "minutes", "conversion", "payouts"):
            assert page.evaluate(f"() => !!Chart.getChart(document.getElementById('chart-{name}'))")
        page.get_by_text("Supporters as a table").click()
        assert page.get_by_test_id("table-supporters").inner_text().count(fan.login) == 1
        page.get_by_text("Earnings as a table").click()
        audit(page, "analytics-dashboard")
        page.get_by_text("Payouts as a table").click()
        assert f"{run.period_end:%Y-%m-%d}" in page.get_by_test_id("table-payouts").inner_text()
        assert errors == []
    finally:
        context.close()
