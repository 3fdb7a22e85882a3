"""Turning what happened into webhook events: one event (one stable body) and one delivery per subscribed endpoint,
written in the outbox handler's transaction, sent after commit by `deliver_due`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from stagedoor.core.ids import new_id
from stagedoor.webhooks import errors, events, selectors
from stagedoor.webhooks.models import Delivery, Endpoint, WebhookEvent


def envelope(*, event_id: str, type: str, created_at: datetime, data: dict[str, Any]) -> str:
    """The JSON every endpoint receives: {id, type, created_at, data}, keys sorted, no spaces."""
    body = {"id": event_id, "type": type, "created_at": created_at.isoformat().replace("+00:00", "Z"), "data": data}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _kick() -> None:
    from stagedoor.core import jobs

    jobs.enqueue("webhooks.deliver_due")


def event_emit(*, type: str, performer_id: str | None, data: dict[str, Any], key: str) -> WebhookEvent | None:
    """Record `type` for `performer_id`'s subscribers (theirs and the site-wide endpoints). Idempotent by `key`.
    Nothing is stored when nobody subscribes. A disabled endpoint's delivery is held, not dropped."""
    if type not in events.EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    endpoints = selectors.subscribed_endpoints(event_type=type, performer_id=performer_id)
    if not endpoints:
        return None
    with transaction.atomic():
        existing = WebhookEvent.objects.filter(key=key).first()
        if existing is not None:
            return existing
        now = timezone.now()
        event_id = new_id()
        event = WebhookEvent.objects.create(
            id=event_id,
            key=key,
            type=type,
            performer_id=performer_id,
            body=envelope(event_id=event_id, type=type, created_at=now, data=data),
            created_at=now,
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    event=event,
                    endpoint=e,
                    status=Delivery.Status.PENDING if e.status == Endpoint.Status.ACTIVE else Delivery.Status.HELD,
                    next_attempt_at=now,
                )
                for e in endpoints
            ]
        )
        transaction.on_commit(_kick)
    return event


def endpoint_test(*, actor: Any, endpoint_id: str) -> Delivery:
    """A `webhook.test` event to this one endpoint (its owner checking the receiver), sent on the next pass."""
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    if endpoint.status != Endpoint.Status.ACTIVE:
        raise errors.EndpointDisabled()
    with transaction.atomic():
        now = timezone.now()
        event_id = new_id()
        data = {"endpoint_id": endpoint.pk, "message": "This is a test event from Stagedoor."}
        event = WebhookEvent.objects.create(
            id=event_id,
            key=f"test:{event_id}",
            type=events.PING,
            performer_id=endpoint.owner_id if endpoint.scope == Endpoint.Scope.PERFORMER else None,
            body=envelope(event_id=event_id, type=events.PING, created_at=now, data=data),
            created_at=now,
        )
        delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now)
        transaction.on_commit(_kick)
    return delivery
