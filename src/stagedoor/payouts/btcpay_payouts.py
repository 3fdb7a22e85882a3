"""Crypto payouts through BTCPay Server's Greenfield API — the same server, store and API key as purchases
(`STAGEDOOR_BTCPAY_*`); the key needs `btcpay.store.cancreatepullpayments` and `btcpay.store.canmanagepullpayments`.

One payout of ours is one pull payment plus one payout on it, both in the line's fiat currency (BTCPay converts to
BTC at its rate when it pays):

1. `GET  /api/v1/stores/{storeId}/payouts?includeCancelled=true` — is there already a payout whose
   `metadata.stagedoorPayoutId` is ours? Then that is the answer: a retry never pays twice;
2. `GET  /api/v1/stores/{storeId}/pull-payments` — a pull payment named `stagedoor-payout:<id>` left by an attempt
   that failed half-way is reused, else `POST /api/v1/stores/{storeId}/pull-payments`
   `{"name", "description", "amount": "12.34", "currency": "EUR", "payoutMethods": ["BTC-CHAIN"],
   "autoApproveClaims": true}` (its amount caps what can be paid from it: BTCPay answers `overdraft` to a second
   payout);
3. `POST /api/v1/stores/{storeId}/payouts` `{"pullPaymentId", "destination", "amount", "payoutMethodId",
   "approved": true, "metadata": {"stagedoorPayoutId", "source"}}` → a `PayoutData`;
4. `GET  /api/v1/stores/{storeId}/payouts/{payoutId}` reads its `state` later: `AwaitingApproval`,
   `AwaitingPayment`, `InProgress` → pending; `Completed` → paid; `Cancelled` → failed.

Errors: unreachable, timeouts and 5xx → `BTCPayUnavailable` (retryable: the lookup in step 1 makes the retry
safe); 401/403 → `BTCPayNotAuthorized`; 400/404/422 → `BTCPayRefused` with BTCPay's own code (`overdraft`,
`duplicate-destination`, `amount-too-low`, `payment-method-not-supported`…).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx

from stagedoor.core.currency import currency_exponent, decimal_string_to_minor, minor_to_decimal_string
from stagedoor.core.errors import ApplicationError
from stagedoor.payments import conf
from stagedoor.payouts.files.model import BitcoinAddress, PayoutLine

PAYOUT_METHOD = "BTC-CHAIN"
METADATA_KEY = "stagedoorPayoutId"
PULL_PAYMENT_PREFIX = "stagedoor-payout:"
STATES: dict[str, Literal["pending", "paid", "failed"]] = {
    "AwaitingApproval": "pending",
    "AwaitingPayment": "pending",
    "InProgress": "pending",
    "Completed": "paid",
    "Cancelled": "failed",
}
# Tests replace this with an httpx.MockTransport that speaks the Greenfield API (like payments' BTCPay provider).
transport: httpx.BaseTransport | None = None


class BTCPayPayoutError(ApplicationError):
    code = "payouts.btcpay_failed"
    status = 502
    default_message = "BTCPay Server could not make the payout."


class BTCPayUnavailable(BTCPayPayoutError):
    """Could not reach BTCPay, or it failed on its side: try again later (safe: payouts are looked up first)."""

    code = "payouts.btcpay_unavailable"
    status = 503
    default_message = "BTCPay Server is not reachable right now; the payout can be retried."


class BTCPayNotAuthorized(BTCPayPayoutError):
    code = "payouts.btcpay_not_authorized"
    status = 502
    default_message = "BTCPay Server refused our API key; check its permissions."


class BTCPayRefused(BTCPayPayoutError):
    code = "payouts.btcpay_refused"
    status = 422
    default_message = "BTCPay Server refused the payout."


class BTCPayNotConfigured(BTCPayPayoutError):
    code = "payouts.btcpay_not_configured"
    status = 503
    default_message = "BTCPay Server is not configured (STAGEDOOR_BTCPAY_URL, …_STORE_ID, …_API_KEY)."


@dataclass(frozen=True)
class CryptoPayout:
    """A payout as BTCPay reports it; `amount_minor` in the line's currency."""

    btcpay_id: str
    payout_id: str
    state: str
    outcome: Literal["pending", "paid", "failed"]
    amount_minor: int
    currency: str
    destination: str
    pull_payment_id: str
    proof: dict[str, Any]


def _exponent(currency: str) -> int:
    return {"BTC": 8, "SATS": 0}.get(currency.upper(), currency_exponent(currency))


class BTCPayPayouts:
    def __init__(self, *, url: str, store_id: str, api_key: str, transport: httpx.BaseTransport | None = None) -> None:
        self.url = url.rstrip("/")
        self.store_id = store_id
        self.api_key = api_key
        self.transport = transport

    @classmethod
    def from_settings(cls) -> BTCPayPayouts:
        """The purchases' BTCPay settings, read (and validated) now."""
        config = conf.btcpay()
        if config is None:
            raise BTCPayNotConfigured()
        return cls(url=config.url, store_id=config.store_id, api_key=config.api_key, transport=transport)

    # --- plumbing -------------------------------------------------------------------------------------------
    def _request(self, method: str, path: str, *, json: Any = None, params: dict[str, str] | None = None) -> Any:
        try:
            with httpx.Client(
                base_url=self.url,
                headers={"Authorization": f"token {self.api_key}", "Accept": "application/json"},
                timeout=httpx.Timeout(15.0),
                transport=self.transport,
            ) as client:
                response = client.request(method, path, json=json, params=params)
        except httpx.HTTPError as exc:
            raise BTCPayUnavailable(extra={"error": type(exc).__name__, "path": path}) from None
        if response.status_code >= 500:
            raise BTCPayUnavailable(extra={"status": response.status_code, "path": path})
        if response.status_code in (401, 403):
            raise BTCPayNotAuthorized(extra={"status": response.status_code, "path": path})
        if response.status_code != 200:
            problem = self._problem(response)
            raise BTCPayRefused(
                f"BTCPay Server refused the request ({problem['code'] or response.status_code}): "
                f"{problem['message'] or 'no reason given'}",
                extra={"status": response.status_code, "path": path, **problem},
            )
        try:
            return response.json()
        except ValueError:
            raise BTCPayUnavailable(extra={"status": 200, "path": path, "error": "not JSON"}) from None

    @staticmethod
    def _problem(response: httpx.Response) -> dict[str, str]:
        try:
            body = response.json()
        except ValueError:
            return {"code": "", "message": ""}
        if isinstance(body, list):  # ValidationProblemDetails: [{"path", "message"}, …]
            messages = [f"{item.get('path', '')}: {item.get('message', '')}" for item in body if isinstance(item, dict)]
            return {"code": "validation", "message": "; ".join(messages)[:500]}
        if isinstance(body, dict):
            return {"code": str(body.get("code", ""))[:80], "message": str(body.get("message", ""))[:500]}
        return {"code": "", "message": ""}

    def _store(self, rest: str) -> str:
        return f"/api/v1/stores/{self.store_id}/{rest}"

    def _parse(self, data: Any) -> CryptoPayout:
        if not isinstance(data, dict) or not data.get("id"):
            raise BTCPayUnavailable(extra={"error": "unexpected payout shape"})
        state = str(data.get("state", ""))
        currency = str(data.get("originalCurrency") or data.get("currency") or data.get("cryptoCode") or "")
        amount_text = str(data.get("originalAmount") or data.get("amount") or "0")
        try:
            amount = decimal_string_to_minor(amount_text, _exponent(currency))
        except ValueError:
            raise BTCPayUnavailable(extra={"error": f"unreadable amount {amount_text!r}"}) from None
        metadata: dict[str, Any] = data["metadata"] if isinstance(data.get("metadata"), dict) else {}
        proof: dict[str, Any] = data["paymentProof"] if isinstance(data.get("paymentProof"), dict) else {}
        return CryptoPayout(
            btcpay_id=str(data["id"]),
            payout_id=str(metadata.get(METADATA_KEY, "")),
            state=state,
            outcome=STATES.get(state, "pending"),
            amount_minor=amount,
            currency=currency,
            destination=str(data.get("destination", "")),
            pull_payment_id=str(data.get("pullPaymentId", "")),
            proof=dict(proof),
        )

    # --- the API --------------------------------------------------------------------------------------------
    def payout_find(self, payout_id: str) -> CryptoPayout | None:
        """Our payout at BTCPay (cancelled ones too), found by the id we stored in its metadata."""
        listed = self._request("GET", self._store("payouts"), params={"includeCancelled": "true"})
        for item in listed if isinstance(listed, list) else []:
            metadata = item.get("metadata") if isinstance(item, dict) else None
            if isinstance(metadata, dict) and metadata.get(METADATA_KEY) == payout_id:
                return self._parse(item)
        return None

    def payout_get(self, btcpay_id: str) -> CryptoPayout:
        return self._parse(self._request("GET", self._store(f"payouts/{btcpay_id}")))

    def _pull_payment(self, line: PayoutLine, amount: str) -> str:
        name = PULL_PAYMENT_PREFIX + line.end_to_end_id
        listed = self._request("GET", self._store("pull-payments"), params={"includeArchived": "true"})
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and item.get("name") == name and item.get("id"):
                return str(item["id"])
        created = self._request(
            "POST",
            self._store("pull-payments"),
            json={
                "name": name,
                "description": f"Stagedoor payout {line.end_to_end_id} to {line.payee_name}"[:250],
                "amount": amount,
                "currency": line.currency,
                "payoutMethods": [PAYOUT_METHOD],
                "autoApproveClaims": True,
            },
        )
        if not isinstance(created, dict) or not created.get("id"):
            raise BTCPayUnavailable(extra={"error": "no pull payment id"})
        return str(created["id"])

    def payout_create(self, line: PayoutLine) -> CryptoPayout:
        """Pay the line to its Bitcoin address, once: the line's end-to-end id is our payout id."""
        if not isinstance(line.destination, BitcoinAddress):
            raise BTCPayRefused(
                f"Line {line.end_to_end_id} ({line.payee_name}) is not a crypto payout.",
                extra={"end_to_end_id": line.end_to_end_id},
            )
        existing = self.payout_find(line.end_to_end_id)
        if existing is not None:
            return existing
        amount = minor_to_decimal_string(line.amount_minor, _exponent(line.currency))
        pull_payment_id = self._pull_payment(line, amount)
        created = self._request(
            "POST",
            self._store("payouts"),
            json={
                "pullPaymentId": pull_payment_id,
                "destination": line.destination.address,
                "amount": amount,
                "payoutMethodId": PAYOUT_METHOD,
                "approved": True,
                "metadata": {METADATA_KEY: line.end_to_end_id, "source": "Stagedoor payout run"},
            },
        )
        payout = self._parse(created)
        if payout.amount_minor != line.amount_minor or (payout.currency and payout.currency != line.currency):
            raise BTCPayRefused(
                f"BTCPay created payout {payout.btcpay_id} for {payout.amount_minor} {payout.currency}, "
                f"not {line.amount_minor} {line.currency}.",
                extra={"end_to_end_id": line.end_to_end_id, "btcpay_id": payout.btcpay_id},
            )
        return payout
