"""webhooks' part of data-subject requests (core.privacy_registry).

Export: the person's endpoints (never their secrets) and how many events were sent to them. Erasure: a performer's
endpoints go (with their delivery logs), and so does every stored event about the person — as the performer it
concerns, or named inside it (a tipper, a fan, whoever booked a show); site-wide endpoints a member of staff
created belong to the operator and stay, without their creator.
"""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)
from stagedoor.webhooks.models import Delivery, Endpoint, WebhookEvent


def export_webhooks(user: Any) -> ExportData:
    endpoints = Endpoint.objects.filter(owner=user).order_by("created_at")
    return {
        "webhook_endpoints": rows(
            endpoints, ["id", "scope", "url", "description", "event_types", "status", "disabled_reason", "created_at"]
        ),
        "webhook_events": rows(
            WebhookEvent.objects.filter(performer=user).order_by("created_at"), ["id", "type", "body", "created_at"]
        ),
        "webhook_deliveries": rows(
            Delivery.objects.filter(endpoint__in=endpoints.filter(scope=Endpoint.Scope.PERFORMER)).order_by(
                "created_at"
            ),
            ["id", "event_id", "endpoint_id", "status", "attempts", "delivered_at", "created_at"],
        ),
    }


def erase_webhooks(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    if ctx.held:
        result.keep("webhook endpoints and events", "legal hold", Endpoint.objects.filter(owner=ctx.user).count())
        return result
    user_id = str(ctx.user.pk)
    result.changed += (
        Endpoint.objects.filter(owner=ctx.user, scope=Endpoint.Scope.PERFORMER).delete()[1].get("webhooks.Endpoint", 0)
    )
    result.changed += Endpoint.objects.filter(owner=ctx.user, scope=Endpoint.Scope.SITE).update(owner=None)
    events = WebhookEvent.objects.filter(performer=ctx.user) | WebhookEvent.objects.filter(
        body__contains=f'"{user_id}"'
    )
    result.changed += events.delete()[1].get("webhooks.WebhookEvent", 0)
    return result


register_exporter("webhooks", export_webhooks)
register_eraser("webhooks", erase_webhooks)
