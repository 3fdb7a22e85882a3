"""A run paying by e-wallet and crypto: the e-wallet CSV, BTCPay (faked at its HTTP boundary) down then up, its
states polled back, e-wallet results recorded by finance, the run reconciled; the ledger balanced throughout."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from stagedoor.core import jobs
from stagedoor.payouts import btcpay_payouts, services
from stagedoor.payouts.models import PayoutItem, PayoutRun
from stagedoor.payouts.tests.helpers import BTC, performer_named
from stagedoor.payouts.tests.test_files_btcpay import KEY, STORE, URL, FakeGreenfield
from stagedoor.payouts.tests.test_runs import _balance, _payout_settings, _period, _system, _tip  # noqa: F401
from stagedoor.wallet.models import AccountKind
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db
ST = PayoutItem.Status


@pytest.fixture
def greenfield(settings: Any, monkeypatch: pytest.MonkeyPatch) -> FakeGreenfield:
    fake = FakeGreenfield()
    settings.STAGEDOOR_BTCPAY_URL = URL
    settings.STAGEDOOR_BTCPAY_STORE_ID = STORE
    settings.STAGEDOOR_BTCPAY_API_KEY = KEY
    settings.STAGEDOOR_BTCPAY_WEBHOOK_SECRET = "webhook-secret-for-tests"
    monkeypatch.setattr(btcpay_payouts, "transport", httpx.MockTransport(fake.handler))
    return fake


def test_ewallet_and_crypto_lines_from_send_to_reconciled(make_user: Any, greenfield: FakeGreenfield) -> None:
    finance = make_user("finance")
    ana = performer_named(make_user, "Ana Lima")
    services.payout_method_set(performer=ana, kind="ewallet", holder_name="Ana Lima", fields={"email": "ana@pay.test"})
    ben = performer_named(make_user, "Ben Ortiz")
    services.payout_method_set(performer=ben, kind="crypto", holder_name="Ben Ortiz", fields={"address": BTC})
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    _start, end = _period()
    _tip(viewer, ana, 1000, 20, end)
    _tip(viewer, ben, 2000, 20, end)
    run, _ = services.payout_run_create(actor=finance)
    services.payout_run_approve(actor=finance, run_id=run.pk)
    greenfield.down = True
    run = services.payout_run_send(actor=finance, run_id=run.pk)
    items = {i.performer_id: i for i in PayoutItem.objects.filter(run=run)}
    assert run.status == PayoutRun.Status.APPROVED  # the crypto line is still to send
    assert (items[ana.pk].status, items[ben.pk].status) == (ST.SENT, ST.PENDING)
    [csv_file] = run.files.all()
    assert csv_file.kind == "ewallet" and csv_file.content.startswith('"ana@pay.test","27.00","EUR"')
    greenfield.down = False
    run = services.payout_run_send(actor=finance, run_id=run.pk)
    assert run.status == PayoutRun.Status.SENT and run.files.count() == 1  # the CSV is not built twice
    ben_line = PayoutItem.objects.get(pk=items[ben.pk].pk)
    assert ben_line.status == ST.SENT and ben_line.external_id == "PO0001"
    [payout] = greenfield.payouts.values()
    assert (payout["originalAmount"], payout["destination"], payout["metadata"]["stagedoorPayoutId"]) == (
        "54.00",
        BTC,
        ben_line.pk,
    )
    assert services.crypto_payouts_poll() == {"pending": 1}
    payout["state"] = "Completed"
    assert jobs.run_job("payouts.poll_crypto") == 1  # the scheduled job: one payout finished
    marked = services.payout_items_mark(
        actor=finance, run_id=run.pk, item_ids=[items[ana.pk].pk], outcome="paid", reason="E-wallet batch report"
    )
    assert marked.applied == {"paid": 1}
    assert PayoutRun.objects.get(pk=run.pk).status == PayoutRun.Status.RECONCILED
    assert _system(AccountKind.PAID_OUT) == 540 + 1080 and _system(AccountKind.PAYOUT_CLEARING) == 0
    assert ledger_problems() == []


def test_btcpay_refusing_a_line_fails_it_and_re_credits_the_performer(
    make_user: Any, greenfield: FakeGreenfield
) -> None:
    finance = make_user("finance")
    ben = performer_named(make_user, "Ben Ortiz")
    services.payout_method_set(performer=ben, kind="crypto", holder_name="Ben Ortiz", fields={"address": BTC})
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    _start, end = _period()
    _tip(viewer, ben, 2000, 20, end)
    run, _ = services.payout_run_create(actor=finance)
    services.payout_run_approve(actor=finance, run_id=run.pk)
    greenfield.pull_payments["PP0001"] = {"id": "PP0001", "name": "someone else's", "currency": "EUR", "amount": "1"}
    original = greenfield._route

    def refuse(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/payouts"):
            return httpx.Response(422, json={"code": "duplicate-destination", "message": "Duplicate destination"})
        return original(request)

    greenfield._route = refuse  # type: ignore[method-assign]
    run = services.payout_run_send(actor=finance, run_id=run.pk)
    line = PayoutItem.objects.get(run=run)
    assert line.status == ST.FAILED and "Duplicate destination" in line.outcome_reason
    assert run.status == PayoutRun.Status.RECONCILED
    assert _balance(ben) == 1080 and _system(AccountKind.PAYOUT_CLEARING) == 0  # re-credited; reserve kept
    assert _balance(ben, AccountKind.PERFORMER_RESERVE) == 120 and ledger_problems() == []
