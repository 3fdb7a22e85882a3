"""BTCPay Server: invoices through the Greenfield API, webhooks signed with `BTCPay-Sig`.

- create: `POST {url}/api/v1/stores/{storeId}/invoices` with `Authorization: token <api key>` and
  `{"amount": "9.99", "currency": "USD", "metadata": {"orderId": <purchase id>}, "checkout": {"redirectURL": …}}`;
  the answer's `id` is the invoice and `checkoutLink` the hosted payment page;
- webhook: `BTCPay-Sig: sha256=<hex HMAC-SHA256(webhook secret, raw body)>`, JSON with `deliveryId`,
  `webhookId`, `originalDeliveryId`, `isRedelivery`, `type`, `timestamp`, `storeId`, `invoiceId`;
- before crediting `InvoiceSettled` we fetch the invoice (`GET …/invoices/{id}`) and check its status,
  amount and currency: the webhook only tells us to look.
Crypto payments have no chargebacks; `InvoiceInvalid` / `InvoiceExpired` decline an unpaid purchase.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any

import httpx

from stagedoor.core import strictjson
from stagedoor.core.currency import currency_exponent, decimal_string_to_minor, minor_to_decimal_string
from stagedoor.core.errors import DuplicateJsonKey
from stagedoor.payments.conf import BTCPayConfig
from stagedoor.payments.errors import ForgedPostback, MalformedPostback, ProviderFailed
from stagedoor.payments.providers import base

if TYPE_CHECKING:
    from stagedoor.payments.models import Purchase

SIGNATURE_HEADER = "btcpay-sig"
TYPES = {
    "InvoiceSettled": base.APPROVED,
    "InvoiceInvalid": base.DECLINED,
    "InvoiceExpired": base.DECLINED,
}
# Tests replace this with an httpx.MockTransport that speaks the Greenfield API.
transport: httpx.BaseTransport | None = None


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class BTCPayProvider:
    name = "btcpay"

    def __init__(self, config: BTCPayConfig) -> None:
        self.config = config

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.config.url,
            headers={"Authorization": f"token {self.config.api_key}", "Accept": "application/json"},
            timeout=httpx.Timeout(10.0),
            transport=transport,
        )

    def _invoices(self) -> str:
        return f"/api/v1/stores/{self.config.store_id}/invoices"

    def checkout_start(self, purchase: Purchase, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        body = {
            "amount": minor_to_decimal_string(purchase.price_minor, currency_exponent(purchase.currency)),
            "currency": purchase.currency,
            "metadata": {"orderId": purchase.id, "itemDesc": f"{purchase.tokens} Stagedoor tokens"},
            "checkout": {"redirectURL": success_url, "redirectAutomatically": True},
        }
        try:
            with self._client() as client:
                response = client.post(self._invoices(), json=body)
        except httpx.HTTPError as exc:
            raise ProviderFailed(extra={"provider": self.name, "error": type(exc).__name__}) from None
        if response.status_code != 200:
            raise ProviderFailed(extra={"provider": self.name, "status": response.status_code})
        invoice = response.json()
        if not invoice.get("id") or not invoice.get("checkoutLink"):
            raise ProviderFailed(extra={"provider": self.name, "error": "no invoice id or checkoutLink"})
        return str(invoice["checkoutLink"]), str(invoice["id"])

    def postback_parse(self, request: base.PostbackRequest) -> base.PostbackEvent:
        given = request.headers.get(SIGNATURE_HEADER, "")
        expected = webhook_signature(self.config.webhook_secret, request.body)
        if not given or not hmac.compare_digest(expected, given.strip().lower()):
            raise ForgedPostback("BTCPay-Sig does not match")
        try:
            payload: Any = strictjson.loads(request.body)
            kind = TYPES.get(str(payload["type"]), base.IGNORED)
            delivery = str(payload["deliveryId"])
            store = str(payload.get("storeId", ""))
            invoice = str(payload.get("invoiceId", ""))
        except (ValueError, KeyError, TypeError, DuplicateJsonKey) as exc:
            raise MalformedPostback(f"unreadable webhook: {exc}") from None
        if store and store != self.config.store_id:
            raise MalformedPostback(f"webhook for another store {store!r}")
        if kind != base.IGNORED and not invoice:
            raise MalformedPostback("invoiceId missing")
        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
        return base.PostbackEvent(
            kind=kind,
            event_id=delivery[:150],
            purchase_id=str(metadata.get("orderId", "")),
            provider_ref=invoice,
            raw_type=str(payload["type"])[:40],
        )

    def confirm(self, purchase: Purchase, event: base.PostbackEvent) -> base.PostbackEvent:
        """Fetch the invoice; the webhook alone never moves money."""
        if event.kind != base.APPROVED:
            return event
        try:
            with self._client() as client:
                response = client.get(f"{self._invoices()}/{event.provider_ref}")
        except httpx.HTTPError as exc:
            raise ProviderFailed(extra={"provider": self.name, "error": type(exc).__name__}) from None
        if response.status_code != 200:
            raise ProviderFailed(extra={"provider": self.name, "status": response.status_code})
        invoice = response.json()
        if invoice.get("status") != "Settled":
            raise MalformedPostback(f"invoice status is {invoice.get('status')!r}, not Settled")
        currency = str(invoice.get("currency", ""))
        try:
            amount = decimal_string_to_minor(str(invoice.get("amount", "")), currency_exponent(currency))
        except ValueError as exc:
            raise MalformedPostback(str(exc)) from None
        return base.PostbackEvent(
            kind=event.kind,
            event_id=event.event_id,
            purchase_id=event.purchase_id or str((invoice.get("metadata") or {}).get("orderId", "")),
            provider_ref=event.provider_ref,
            amount_minor=amount,
            currency=currency,
            raw_type=event.raw_type,
        )

    def reply(self, *, ok: bool, status: int = 200, message: str = "", outcome: str = "") -> base.PostbackReply:
        # Any 2xx settles a delivery; the JSON body has room for our outcome too.
        body = {"ok": ok, "message": message, "outcome": outcome}
        return base.PostbackReply(
            status=status, body=json.dumps(body), content_type="application/json", outcome=outcome
        )
