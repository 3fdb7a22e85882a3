"""Reads of payments, and access helpers."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.payments.errors import PurchaseNotFound
from stagedoor.payments.models import Postback, Purchase


def purchases_of(user: Any, *, limit: int = 50) -> QuerySet[Purchase]:
    return Purchase.objects.filter(buyer_id=user.pk).order_by("-created_at")[: max(1, min(limit, 200))]


def access_purchase(actor: Any, purchase_id: str) -> Purchase:
    """The actor's own purchase, or any purchase for staff who may read wallets."""
    purchase = Purchase.objects.filter(pk=purchase_id).first()
    if purchase is None:
        raise PurchaseNotFound()
    if purchase.buyer_id != actor.pk:
        if not role_has(actor.role, Perm.WALLET_READ_ANY):
            raise PurchaseNotFound()  # do not reveal that it exists
        from stagedoor.accounts.selectors import require_perm

        require_perm(actor, Perm.WALLET_READ_ANY)
    return purchase


def postbacks(*, provider: str = "", outcome: str = "", limit: int = 100) -> QuerySet[Postback]:
    qs = Postback.objects.all().order_by("-received_at")
    if provider:
        qs = qs.filter(provider=provider)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs[: max(1, min(limit, 500))]


def sandbox_purchase_of(actor: Any, purchase_id: str) -> Purchase:
    purchase = Purchase.objects.filter(pk=purchase_id, provider="sandbox", buyer_id=actor.pk).first()
    if purchase is None:
        raise PurchaseNotFound()
    return purchase
