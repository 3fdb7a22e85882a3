"""Reads of payments, and access helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.db.models import Q, QuerySet

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.payments import conf
from stagedoor.payments.errors import PurchaseNotFound
from stagedoor.payments.models import Postback, Purchase


def purchases_of(user: Any, *, limit: int = 50) -> QuerySet[Purchase]:
    return Purchase.objects.filter(buyer_id=user.pk).order_by("-created_at")[: max(1, min(limit, 200))]


def purchase_of_buyer_by_key(buyer: Any, client_key: str) -> Purchase:
    """The buyer's purchase started with `client_key`; PurchaseNotFound for anyone else's or none."""
    purchase = Purchase.objects.filter(idempotency_key=f"purchase:{buyer.pk}:{client_key}", buyer_id=buyer.pk).first()
    if purchase is None:
        raise PurchaseNotFound()
    return purchase


def checkout_url_absolute(purchase: Purchase) -> str:
    """The processor's hosted page as an absolute URL: a page of ours (the sandbox) on `STAGEDOOR.base_url`."""
    if not purchase.checkout_url:
        return ""
    return urljoin(conf.base_url() + "/", purchase.checkout_url)


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


# --- staff console ---------------------------------------------------------------------------


def purchases_for_staff(*, purchase_id: str = "", buyer_id: str = "", limit: int = 20) -> list[Purchase]:
    """One purchase by id, or a buyer's purchases newest first."""
    qs = Purchase.objects.select_related("buyer")
    if purchase_id:
        return list(qs.filter(pk=purchase_id)[:1])
    if buyer_id:
        return list(qs.filter(buyer_id=buyer_id).order_by("-created_at")[: max(1, min(limit, 200))])
    return []


def postback_log(*, provider: str = "", outcome: str = "", before_id: str = "", limit: int = 50) -> list[Postback]:
    """Postbacks newest first, with their purchase and buyer; `before_id` (the last row shown) pages back."""
    qs = Postback.objects.select_related("purchase", "purchase__buyer").order_by("-received_at", "-id")
    if provider:
        qs = qs.filter(provider=provider)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if before_id:
        last = Postback.objects.filter(pk=before_id).values_list("received_at", flat=True).first()
        if last is not None:
            qs = qs.filter(Q(received_at__lt=last) | Q(received_at=last, id__lt=before_id))
    return list(qs[: max(1, min(limit, 500))])


def postback_providers() -> list[str]:
    """Every provider that ever sent a postback, and those enabled now."""
    seen = set(Postback.objects.order_by().values_list("provider", flat=True).distinct())
    return sorted(seen | set(conf.enabled_providers()))


def postbacks_refused_since(since: Any) -> int:
    refused = [o for o in Postback.Outcome.values if o.startswith("refused") or o == Postback.Outcome.ERROR]
    return Postback.objects.filter(received_at__gte=since, outcome__in=refused).count()
