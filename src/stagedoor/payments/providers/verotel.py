"""Verotel FlexPay (protocol version 4): a signed "startorder" URL and signed GET postbacks.

Signature, as FlexPay documents it and its official clients compute it: the lower-case hex SHA-256 of the
signature key followed by the parameters as `name=value`, sorted by name, all joined with ":" —
`sha256("KEY:description=…:priceAmount=9.99:priceCurrency=USD:referenceID=…:shopID=123:type=purchase:version=4")`.
For the purchase URL only the documented signed parameters count (e-mail is excluded); for a postback
every parameter except `signature` itself counts. The postback must be answered with the text "OK",
otherwise Verotel retries it. We accept SHA-256 signatures only (not the legacy SHA-1).

Postback events for a purchase: the sale itself (no `event`, or `event=initial`), `event=credit`
(refund) and `event=chargeback`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from stagedoor.core.currency import currency_exponent, decimal_string_to_minor, minor_to_decimal_string
from stagedoor.payments.conf import VerotelConfig
from stagedoor.payments.errors import ForgedPostback, MalformedPostback
from stagedoor.payments.providers import base

if TYPE_CHECKING:
    from stagedoor.payments.models import Purchase

PROTOCOL_VERSION = "4"
SIGNED_URL_PARAMS = re.compile(
    r"^(version|shopID|price(Amount|Currency)|paymentMethod|description|referenceID|saleID|custom[123]"
    r"|subscriptionType|period|name|trialAmount|trialPeriod|cancelDiscountPercentage|type|successURL"
    r"|declineURL|precedingSaleID|upgradeOption|mcc|subCreditorName|subCreditorId|subCreditorCountry)$"
)
EVENTS = {"": base.APPROVED, "initial": base.APPROVED, "credit": base.REFUNDED, "chargeback": base.CHARGEBACK}


def signature(key: str, params: dict[str, str]) -> str:
    parts = [key, *(f"{name}={params[name]}" for name in sorted(params))]
    return hashlib.sha256(":".join(parts).encode()).hexdigest().lower()


def purchase_url(config: VerotelConfig, params: dict[str, str]) -> str:
    params = {k: v for k, v in params.items() if v not in ("", None)}
    params.setdefault("shopID", config.shop_id)
    params["version"] = PROTOCOL_VERSION
    params["type"] = "purchase"
    signed = {k: v for k, v in params.items() if SIGNED_URL_PARAMS.match(k)}
    params["signature"] = signature(config.signature_key, signed)
    return f"{config.startorder_url}?{urlencode(sorted(params.items()))}"


class VerotelProvider:
    name = "verotel"

    def __init__(self, config: VerotelConfig) -> None:
        self.config = config

    def checkout_start(self, purchase: Purchase, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        url = purchase_url(
            self.config,
            {
                "priceAmount": minor_to_decimal_string(purchase.price_minor, currency_exponent(purchase.currency)),
                "priceCurrency": purchase.currency,
                "description": f"{purchase.tokens} Stagedoor tokens",
                "referenceID": purchase.id,
                "successURL": success_url,
                "declineURL": cancel_url,
            },
        )
        return url, ""  # the saleID arrives with the postback

    def postback_parse(self, request: base.PostbackRequest) -> base.PostbackEvent:
        params = dict(request.query)
        if request.method == "POST" and not params:  # some brands POST the same form fields
            from urllib.parse import parse_qsl

            params = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        given = params.pop("signature", "")
        if not given or not hmac.compare_digest(signature(self.config.signature_key, params), given.lower()):
            raise ForgedPostback("FlexPay signature does not match")
        if params.get("shopID") != self.config.shop_id:
            raise MalformedPostback(f"postback for another shop {params.get('shopID')!r}")
        event = params.get("event", "")
        if event not in EVENTS or params.get("type", "purchase") != "purchase":
            return base.PostbackEvent(kind=base.IGNORED, event_id="", raw_type=f"{params.get('type')}/{event}"[:40])
        reference, sale_id = params.get("referenceID", ""), params.get("saleID", "")
        if not reference or not sale_id:
            raise MalformedPostback("referenceID and saleID are required")
        currency = params.get("priceCurrency", "")
        try:
            amount = decimal_string_to_minor(params.get("priceAmount", ""), currency_exponent(currency))
        except ValueError as exc:
            raise MalformedPostback(str(exc)) from None
        transaction_id = params.get("transactionID", "")
        return base.PostbackEvent(
            kind=EVENTS[event],
            event_id=f"{sale_id}:{event or 'initial'}:{transaction_id}"[:150],
            purchase_id=reference,
            provider_ref=sale_id,
            amount_minor=amount,
            currency=currency,
            raw_type=event or "initial",
        )

    def reply(self, *, ok: bool, status: int = 200, message: str = "", outcome: str = "") -> base.PostbackReply:
        # Verotel wants exactly "OK" (or it retries): the outcome travels only in the header.
        return base.PostbackReply(status=status, body="OK" if ok else f"ERROR - {message}"[:200], outcome=outcome)

    def confirm(self, purchase: Purchase, event: base.PostbackEvent) -> base.PostbackEvent:
        return event
