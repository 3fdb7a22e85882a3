"""Reads of webhooks, and `access_…` helpers that fetch and authorize in one call: a performer reaches only their
own endpoints, staff with `Perm.WEBHOOKS_SITE_MANAGE` only the site-wide ones; anything else is "not found" (an
endpoint's existence is not revealed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.ids import is_valid_id
from stagedoor.webhooks import errors
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint


def _may_see(actor: Any, endpoint: Endpoint) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.mfa_required and not actor.mfa_enabled:
        return False
    if endpoint.scope == Endpoint.Scope.SITE:
        return role_has(actor.role, Perm.WEBHOOKS_SITE_MANAGE)
    return endpoint.owner_id == actor.pk and role_has(actor.role, Perm.WEBHOOKS_MANAGE)


def access_endpoint(actor: Any, endpoint_id: str) -> Endpoint:
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first() if is_valid_id(endpoint_id) else None
    if endpoint is None or not _may_see(actor, endpoint):
        raise errors.EndpointNotFound()
    return endpoint


def access_delivery(actor: Any, delivery_id: str) -> Delivery:
    delivery = (
        Delivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
        if is_valid_id(delivery_id)
        else None
    )
    if delivery is None or not _may_see(actor, delivery.endpoint):
        raise errors.DeliveryNotFound()
    return delivery


def endpoints_of(owner: Any) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(owner=owner, scope=Endpoint.Scope.PERFORMER).order_by("created_at")


def site_endpoints() -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(scope=Endpoint.Scope.SITE).order_by("created_at")


def endpoint_count(*, owner: Any, scope: str) -> int:
    qs = Endpoint.objects.filter(scope=scope)
    return (qs.filter(owner=owner) if scope == Endpoint.Scope.PERFORMER else qs).count()


def subscribed_endpoints(*, event_type: str, performer_id: str | None) -> list[Endpoint]:
    """Every endpoint that takes `event_type` for this performer: theirs, and the site-wide ones."""
    mine = Q(scope=Endpoint.Scope.PERFORMER, owner_id=performer_id) if performer_id else Q(pk__in=[])
    candidates = Endpoint.objects.filter(mine | Q(scope=Endpoint.Scope.SITE)).order_by("created_at")
    # event_types is a short JSON list; filtered here so SQLite and PostgreSQL read it alike
    return [e for e in candidates if event_type in e.event_types]


def deliveries_of(endpoint: Endpoint, *, status: str = "", limit: int = 100) -> list[Delivery]:
    qs = Delivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:limit])


def attempts_of(delivery: Delivery) -> list[Attempt]:
    return list(Attempt.objects.filter(delivery=delivery).order_by("number"))


def due_deliveries(*, now: datetime, limit: int, per_endpoint: dict[str, int], cap: int) -> list[tuple[str, str]]:
    """(delivery id, endpoint id) of pending deliveries whose time has come and that nobody holds, oldest first,
    at most `limit`, and no more of one endpoint than `cap` less what `per_endpoint` says is in flight there (so one
    slow endpoint takes at most `cap` of the workers)."""
    full = [endpoint_id for endpoint_id, n in per_endpoint.items() if n >= cap]
    rows = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .filter(endpoint__status=Endpoint.Status.ACTIVE)
        .exclude(endpoint_id__in=full)
        .order_by("next_attempt_at", "id")
        .values_list("id", "endpoint_id")[: max(limit, 1) * 4]
    )
    taken = dict(per_endpoint)
    chosen: list[tuple[str, str]] = []
    for delivery_id, endpoint_id in rows:
        if len(chosen) >= limit:
            break
        if taken.get(endpoint_id, 0) >= cap:
            continue
        taken[endpoint_id] = taken.get(endpoint_id, 0) + 1
        chosen.append((delivery_id, endpoint_id))
    return chosen


def failing_endpoints_count() -> int:
    return Endpoint.objects.filter(status=Endpoint.Status.DISABLED, disabled_reason="failing").count()


def counts_by_status(endpoint: Endpoint) -> dict[str, int]:
    out = {s.value: 0 for s in Delivery.Status}
    for row in Delivery.objects.filter(endpoint=endpoint).values("status").annotate(n=Count("id")):
        out[row["status"]] = row["n"]
    return out
