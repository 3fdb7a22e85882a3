"""Payments API: start a purchase, list purchases, receive processor postbacks, staff refunds and logs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Header, Router

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import NotAuthenticated
from stagedoor.core.middleware import client_ip
from stagedoor.payments import conf, schemas, selectors, services
from stagedoor.payments.models import Purchase
from stagedoor.payments.providers.base import PostbackRequest
from stagedoor.wallet import services as wallet_services

router = Router(tags=["payments"])
POSTBACK_OUTCOME_HEADER = "X-Stagedoor-Postback"


def _me(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    if user is None:
        raise NotAuthenticated()
    return user  # type: ignore[no-any-return]


@router.get("/payments/providers", response=schemas.ProvidersOut, auth=None)
def providers(request: HttpRequest) -> dict[str, list[str]]:
    return {"providers": conf.enabled_providers()}


def _out(purchase: Purchase) -> schemas.PurchaseOut:
    """A purchase as the API shows it: `checkout_url` absolute (the sandbox's page is on this site)."""
    out = schemas.PurchaseOut.from_orm(purchase)
    return out.model_copy(update={"checkout_url": selectors.checkout_url_absolute(purchase)})


@router.post("/purchases", response={201: schemas.PurchaseOut}, auth=requires(Perm.TOKENS_BUY))
def purchase_start(
    request: HttpRequest,
    payload: schemas.PurchaseIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),  # type: ignore[type-arg]
) -> tuple[int, object]:
    """Start a purchase. A retry with the same key answers the same purchase, whatever changed since."""
    buyer = require_perm(_me(request), Perm.TOKENS_BUY)
    key = wallet_services.client_key_from(body=payload.idempotency_key, header=idempotency_key)
    purchase = services.purchase_start(
        buyer=buyer, package_id=payload.package_id, provider=payload.provider, idempotency_key=key, http_request=request
    )
    return 201, _out(purchase)


@router.get("/purchases", response=list[schemas.PurchaseOut], auth=AUTH)
def my_purchases(request: HttpRequest, limit: int = 50) -> object:
    return [_out(p) for p in selectors.purchases_of(_me(request), limit=limit)]


@router.get("/purchases/by-key/{idempotency_key}", response=schemas.PurchaseOut, auth=AUTH)
def purchase_by_key(request: HttpRequest, idempotency_key: str) -> object:
    """The outcome of `POST /purchases` with this key, for a client that lost the answer: your purchase, or
    404 `payments.purchase_not_found`."""
    key = wallet_services.check_client_key(idempotency_key)
    return _out(selectors.purchase_of_buyer_by_key(_me(request), key))


@router.get("/purchases/{purchase_id}", response=schemas.PurchaseOut, auth=AUTH)
def purchase_get(request: HttpRequest, purchase_id: str) -> object:
    return _out(selectors.access_purchase(_me(request), purchase_id))


@router.api_operation(["GET", "POST"], "/payments/postback/{provider}", auth=None, include_in_schema=True)
def postback(request: HttpRequest, provider: str) -> HttpResponse:
    """Where processors send postbacks / webhooks. Signed; answered the way each processor expects (Verotel:
    "OK"), with our outcome in the `X-Stagedoor-Postback` header: `applied`, `duplicate` (both 200), …"""
    incoming = PostbackRequest(
        method=request.method or "GET",
        query={k: request.GET.get(k, "") for k in request.GET},
        body=request.body[:65536],
        headers={k.lower(): v for k, v in request.headers.items()},
        remote_ip=client_ip(request),
    )
    reply = services.postback_receive(provider=provider[:20], request=incoming)
    response = HttpResponse(reply.body, status=reply.status, content_type=reply.content_type)
    if reply.outcome:  # applied / duplicate / ignored / refused_…: the body stays in the processor's format
        response[POSTBACK_OUTCOME_HEADER] = reply.outcome
    return response


@router.post(
    "/staff/purchases/{purchase_id}/refund",
    response=schemas.PurchaseOut,
    auth=requires(Perm.MONEY_REFUND),
    tags=["staff"],
)
def staff_refund(request: HttpRequest, purchase_id: str, payload: schemas.PaymentReasonIn) -> object:
    actor = require_perm(_me(request), Perm.MONEY_REFUND)
    return services.purchase_refund(actor=actor, purchase_id=purchase_id, reason=payload.reason, ip=client_ip(request))


@router.get("/staff/postbacks", response=list[schemas.PostbackOut], auth=requires(Perm.LEDGER_READ), tags=["staff"])
def staff_postbacks(request: HttpRequest, provider: str = "", outcome: str = "", limit: int = 100) -> object:
    require_perm(_me(request), Perm.LEDGER_READ)
    return selectors.postbacks(provider=provider[:20], outcome=outcome[:24], limit=limit)
