"""What every payment provider adapter implements, and the shapes that cross its boundary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stagedoor.payments.models import Purchase

__all__ = [
    "APPROVED",
    "CHARGEBACK",
    "DECLINED",
    "IGNORED",
    "REFUNDED",
    "PostbackEvent",
    "PostbackReply",
    "PostbackRequest",
    "Provider",
]

APPROVED = "approved"
DECLINED = "declined"
REFUNDED = "refunded"
CHARGEBACK = "chargeback"
IGNORED = "ignored"


@dataclass(frozen=True)
class PostbackRequest:
    """An incoming postback as received over HTTP (headers lower-cased)."""

    method: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    remote_ip: str = ""


@dataclass(frozen=True)
class PostbackEvent:
    """What a verified postback says happened."""

    kind: str  # one of APPROVED, DECLINED, REFUNDED, CHARGEBACK, IGNORED
    event_id: str  # the provider's id of this notification (dedupe key)
    purchase_id: str = ""
    provider_ref: str = ""  # the provider's id of the sale / invoice
    amount_minor: int | None = None
    currency: str = ""
    raw_type: str = ""
    card_fingerprint: str = ""  # the processor's stable id of the card, where its postback carries one


@dataclass(frozen=True)
class PostbackReply:
    status: int
    body: str  # in the processor's required format (Verotel: exactly "OK")
    content_type: str = "text/plain"
    outcome: str = ""  # ours (`Postback.Outcome`): sent as the `X-Stagedoor-Postback` header


class Provider(Protocol):
    name: str

    def checkout_start(self, purchase: Purchase, *, success_url: str, cancel_url: str) -> tuple[str, str]:
        """Return (URL of the hosted payment page, provider reference or "")."""
        ...

    def postback_parse(self, request: PostbackRequest) -> PostbackEvent:
        """Verify the signature (ForgedPostback), parse (MalformedPostback), or refuse a replay (ReplayedPostback)."""
        ...

    def reply(self, *, ok: bool, status: int = 200, message: str = "", outcome: str = "") -> PostbackReply:
        """The answer in the processor's format; `outcome` (applied, duplicate, …) goes in it only where that
        format has room for it."""
        ...

    def confirm(self, purchase: Purchase, event: PostbackEvent) -> PostbackEvent:
        """Optionally re-check the event with the provider's API before money moves (BTCPay)."""
        ...
