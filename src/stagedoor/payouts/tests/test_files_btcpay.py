"""Crypto payouts through BTCPay's Greenfield API, faked at its HTTP boundary with the real JSON shapes."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pytest_django import Settings

from stagedoor.payouts import btcpay_payouts
from stagedoor.payouts.btcpay_payouts import (
    BTCPayNotAuthorized,
    BTCPayNotConfigured,
    BTCPayPayouts,
    BTCPayRefused,
    BTCPayUnavailable,
)
from stagedoor.payouts.files.model import BitcoinAddress, PayoutLine
from stagedoor.payouts.tests.files_samples import line

URL = "https://btcpay.example.test"
STORE = "Store5xLkY"
KEY = "btcpay-api-key-for-tests"
ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


class FakeGreenfield:
    """Pull payments and store payouts as BTCPay Server keeps them (amount caps, metadata, states)."""

    def __init__(self) -> None:
        self.pull_payments: dict[str, dict[str, Any]] = {}
        self.payouts: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.lose_next_response = False  # the server acts, then the answer is lost (a timeout on our side)
        self.down = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            return httpx.Response(503, text="Service Unavailable")
        if request.headers.get("Authorization") != f"token {KEY}":
            return httpx.Response(401, json={"code": "unauthenticated", "message": "Authentication is required"})
        response = self._route(request)
        if self.lose_next_response and request.method == "POST":
            self.lose_next_response = False
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    def _route(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        base = f"/api/v1/stores/{STORE}"
        if path == f"{base}/pull-payments" and method == "GET":
            return httpx.Response(200, json=list(self.pull_payments.values()))
        if path == f"{base}/pull-payments" and method == "POST":
            body = json.loads(request.content)
            pp_id = f"PP{len(self.pull_payments) + 1:04d}"
            self.pull_payments[pp_id] = {
                "id": pp_id,
                "name": body["name"],
                "description": body.get("description", ""),
                "currency": body["currency"],
                "amount": body["amount"],
                "BOLT11Expiration": "30",
                "autoApproveClaims": body.get("autoApproveClaims", False),
                "archived": False,
                "viewLink": f"{URL}/pull-payments/{pp_id}",
            }
            return httpx.Response(200, json=self.pull_payments[pp_id])
        if path == f"{base}/payouts" and method == "GET":
            show_cancelled = request.url.params.get("includeCancelled") == "true"
            return httpx.Response(
                200, json=[p for p in self.payouts.values() if show_cancelled or p["state"] != "Cancelled"]
            )
        if path == f"{base}/payouts" and method == "POST":
            body = json.loads(request.content)
            pp = self.pull_payments.get(body.get("pullPaymentId", ""))
            if pp is None:
                return httpx.Response(404, json={"code": "pullpayment-not-found", "message": "Pull payment not found"})
            already = sum(
                Decimal(p["originalAmount"])
                for p in self.payouts.values()
                if p["pullPaymentId"] == pp["id"] and p["state"] != "Cancelled"
            )
            if already + Decimal(body["amount"]) > Decimal(pp["amount"]):
                return httpx.Response(
                    400, json={"code": "overdraft", "message": "The payout amount overdraft the pull payment's limit"}
                )
            payout_id = f"PO{len(self.payouts) + 1:04d}"
            self.payouts[payout_id] = {
                "id": payout_id,
                "revision": 0,
                "pullPaymentId": pp["id"],
                "date": str(int(time.time())),
                "destination": body["destination"],
                "originalCurrency": pp["currency"],
                "originalAmount": body["amount"],
                "payoutCurrency": "BTC",
                "payoutAmount": None,
                "payoutMethodId": body["payoutMethodId"],
                "state": "AwaitingPayment" if body.get("approved") else "AwaitingApproval",
                "paymentProof": None,
                "metadata": body.get("metadata") or {},
            }
            return httpx.Response(200, json=self.payouts[payout_id])
        if path.startswith(f"{base}/payouts/") and method == "GET":
            found = self.payouts.get(path.rsplit("/", 1)[1])
            return httpx.Response(200, json=found) if found else httpx.Response(404)
        return httpx.Response(404)


@pytest.fixture
def greenfield() -> FakeGreenfield:
    return FakeGreenfield()


def client(fake: FakeGreenfield, key: str = KEY) -> BTCPayPayouts:
    return BTCPayPayouts(url=URL, store_id=STORE, api_key=key, transport=httpx.MockTransport(fake.handler))


def crypto(e2e: str = "01JH0000000000000000000C01", amount: int = 25_000) -> PayoutLine:
    return line(e2e, name="Ana Lima", amount=amount, currency="EUR", destination=BitcoinAddress(ADDRESS))


def test_creates_a_pull_payment_and_an_approved_payout(greenfield: FakeGreenfield) -> None:
    payout = client(greenfield).payout_create(crypto())
    assert payout.btcpay_id == "PO0001" and payout.payout_id == "01JH0000000000000000000C01"
    assert (payout.amount_minor, payout.currency, payout.outcome) == (25_000, "EUR", "pending")
    posts = [r for r in greenfield.requests if r.method == "POST"]
    assert [r.url.path for r in posts] == [f"/api/v1/stores/{STORE}/pull-payments", f"/api/v1/stores/{STORE}/payouts"]
    assert json.loads(posts[0].content) == {
        "name": "stagedoor-payout:01JH0000000000000000000C01",
        "description": "Stagedoor payout 01JH0000000000000000000C01 to Ana Lima",
        "amount": "250.00",
        "currency": "EUR",
        "payoutMethods": ["BTC-CHAIN"],
        "autoApproveClaims": True,
    }
    assert json.loads(posts[1].content) == {
        "pullPaymentId": "PP0001",
        "destination": ADDRESS,
        "amount": "250.00",
        "payoutMethodId": "BTC-CHAIN",
        "approved": True,
        "metadata": {"stagedoorPayoutId": "01JH0000000000000000000C01", "source": "Stagedoor payout run"},
    }


def test_retry_after_a_lost_answer_pays_once(greenfield: FakeGreenfield) -> None:
    payouts = client(greenfield)
    greenfield.lose_next_response = True  # the pull payment is created, we never hear back
    with pytest.raises(BTCPayUnavailable) as caught:
        payouts.payout_create(crypto())
    assert caught.value.code == "payouts.btcpay_unavailable"
    first = payouts.payout_create(crypto())  # reuses the pull payment left behind
    greenfield.lose_next_response = False
    again = payouts.payout_create(crypto())  # already there: found by metadata, nothing posted
    assert first == again
    assert len(greenfield.pull_payments) == 1 and len(greenfield.payouts) == 1

    # the payout POST itself succeeds at BTCPay but its answer is lost: the retry finds it, never a second one
    greenfield.lose_next_response = False
    other = crypto("01JH0000000000000000000C02", amount=1_000)
    payouts._pull_payment(other, "10.00")  # as a crashed run would have left it
    greenfield.lose_next_response = True
    with pytest.raises(BTCPayUnavailable):
        payouts.payout_create(other)
    assert payouts.payout_create(other).payout_id == "01JH0000000000000000000C02"
    assert sorted(p["metadata"]["stagedoorPayoutId"] for p in greenfield.payouts.values()) == [
        "01JH0000000000000000000C01",
        "01JH0000000000000000000C02",
    ]


def test_state_is_read_back(greenfield: FakeGreenfield) -> None:
    payouts = client(greenfield)
    created = payouts.payout_create(crypto())
    greenfield.payouts[created.btcpay_id]["state"] = "Completed"
    greenfield.payouts[created.btcpay_id]["paymentProof"] = {
        "proofType": "PayoutTransactionOnChainBlob",
        "transactionId": "ab" * 32,
    }
    done = payouts.payout_get(created.btcpay_id)
    assert (done.state, done.outcome, done.proof["transactionId"]) == ("Completed", "paid", "ab" * 32)
    greenfield.payouts[created.btcpay_id]["state"] = "Cancelled"
    assert payouts.payout_find("01JH0000000000000000000C01") is not None
    assert payouts.payout_create(crypto()).outcome == "failed"  # never silently re-created
    assert payouts.payout_find("NO-SUCH-PAYOUT") is None


def test_http_errors_map_to_clear_errors(greenfield: FakeGreenfield) -> None:
    with pytest.raises(BTCPayNotAuthorized):
        client(greenfield, key="wrong").payout_create(crypto())
    greenfield.down = True
    with pytest.raises(BTCPayUnavailable) as down:
        client(greenfield).payout_create(crypto())
    assert down.value.extra["status"] == 503
    greenfield.down = False
    payouts = client(greenfield)
    payouts.payout_create(crypto())
    # a second payout on the same pull payment: BTCPay's own overdraft guard
    with pytest.raises(BTCPayRefused, match="overdraft") as refused:
        payouts._request(
            "POST",
            f"/api/v1/stores/{STORE}/payouts",
            json={"pullPaymentId": "PP0001", "destination": ADDRESS, "amount": "250.00", "payoutMethodId": "BTC-CHAIN"},
        )
    assert refused.value.extra["code"] == "overdraft" and refused.value.extra["status"] == 400
    with pytest.raises(BTCPayRefused, match="not a crypto payout"):
        payouts.payout_create(line("NOT-CRYPTO"))


def test_unreachable_server_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(BTCPayUnavailable) as caught:
        BTCPayPayouts(url=URL, store_id=STORE, api_key=KEY, transport=httpx.MockTransport(refuse)).payout_find("x")
    assert caught.value.extra["error"] == "ConnectError"


def test_from_settings_uses_the_purchase_settings(
    settings: Settings, greenfield: FakeGreenfield, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.STAGEDOOR_BTCPAY_URL = ""
    settings.STAGEDOOR_BTCPAY_STORE_ID = ""
    settings.STAGEDOOR_BTCPAY_API_KEY = ""
    settings.STAGEDOOR_BTCPAY_WEBHOOK_SECRET = ""
    with pytest.raises(BTCPayNotConfigured):
        BTCPayPayouts.from_settings()
    settings.STAGEDOOR_BTCPAY_URL = URL
    settings.STAGEDOOR_BTCPAY_STORE_ID = STORE
    settings.STAGEDOOR_BTCPAY_API_KEY = KEY
    settings.STAGEDOOR_BTCPAY_WEBHOOK_SECRET = "btcpay-webhook-secret-for-tests"
    monkeypatch.setattr(btcpay_payouts, "transport", httpx.MockTransport(greenfield.handler))
    assert BTCPayPayouts.from_settings().payout_create(crypto()).btcpay_id == "PO0001"
