"""The webhooks API (see docs/webhooks.md). A performer lists and creates their own endpoints under
/webhooks/endpoints, staff with `webhooks.site_manage` the site-wide ones under /webhooks/site-endpoints; the
routes of one endpoint or delivery take anyone signed in and answer "not found" unless it is theirs to manage."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.core.middleware import client_ip
from stagedoor.webhooks import events, schemas, selectors, services
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint

router = Router(tags=["webhooks"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def endpoint_out(e: Endpoint) -> dict[str, Any]:
    return {
        "id": e.pk,
        "scope": e.scope,
        "url": e.url,
        "description": e.description,
        "event_types": list(e.event_types),
        "status": e.status,
        "disabled_reason": e.disabled_reason,
        "disabled_at": e.disabled_at,
        "consecutive_failures": e.consecutive_failures,
        "failing_since": e.failing_since,
        "created_at": e.created_at,
    }


def delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_type": d.event.type,
        "endpoint_id": d.endpoint_id,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at if d.status == Delivery.Status.PENDING else None,
        "last_status_code": d.last_status_code,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at,
        "created_at": d.created_at,
    }


def attempt_out(a: Attempt) -> dict[str, Any]:
    return {
        "number": a.number,
        "manual": a.manual,
        "started_at": a.started_at,
        "latency_ms": a.latency_ms,
        "outcome": a.outcome,
        "status_code": a.status_code,
        "response_body": a.response_body,
        "error": a.error,
    }


@router.get("/webhooks/event-types", response=list[schemas.EventTypeOut], auth=None)
def event_types(request: HttpRequest) -> list[dict[str, str]]:
    return [{"type": t, "description": d} for t, d in events.EVENT_TYPES.items()]


def _create(request: HttpRequest, payload: schemas.EndpointIn, scope: str) -> Status[dict[str, Any]]:
    endpoint, secret = services.endpoint_create(
        actor=_me(request),
        scope=scope,
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
        ip=client_ip(request),
    )
    return Status(201, {**endpoint_out(endpoint), "secret": secret})


@router.get("/webhooks/endpoints", response=list[schemas.EndpointOut], auth=requires(Perm.WEBHOOKS_MANAGE))
def my_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_out(e) for e in selectors.endpoints_of(_me(request))]


@router.post("/webhooks/endpoints", response={201: schemas.EndpointCreated}, auth=requires(Perm.WEBHOOKS_MANAGE))
def my_endpoint_create(request: HttpRequest, payload: schemas.EndpointIn) -> Status[dict[str, Any]]:
    """A new endpoint for one's own events; the answer holds its signing secret, shown this once."""
    return _create(request, payload, Endpoint.Scope.PERFORMER)


@router.get("/webhooks/site-endpoints", response=list[schemas.EndpointOut], auth=requires(Perm.WEBHOOKS_SITE_MANAGE))
def site_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_out(e) for e in selectors.site_endpoints()]


@router.post(
    "/webhooks/site-endpoints", response={201: schemas.EndpointCreated}, auth=requires(Perm.WEBHOOKS_SITE_MANAGE)
)
def site_endpoint_create(request: HttpRequest, payload: schemas.EndpointIn) -> Status[dict[str, Any]]:
    """A site-wide endpoint (every performer's events); the answer holds its signing secret, shown this once."""
    return _create(request, payload, Endpoint.Scope.SITE)


@router.get("/webhooks/endpoints/{endpoint_id}", response=schemas.EndpointOut, auth=AUTH)
def endpoint_get(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    return endpoint_out(selectors.access_endpoint(_me(request), endpoint_id))


@router.patch("/webhooks/endpoints/{endpoint_id}", response=schemas.EndpointOut, auth=AUTH)
def endpoint_patch(request: HttpRequest, endpoint_id: str, payload: schemas.EndpointPatch) -> dict[str, Any]:
    """Change the address, the event types or the description; `enabled` false stops it (what comes meanwhile is
    held), true starts it again (held deliveries go out, the failure count starts from zero)."""
    me, ip = _me(request), client_ip(request)
    endpoint = selectors.access_endpoint(me, endpoint_id)
    if payload.url is not None or payload.event_types is not None or payload.description is not None:
        endpoint = services.endpoint_update(
            actor=me,
            endpoint_id=endpoint.pk,
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
            ip=ip,
        )
    if payload.enabled is True:
        endpoint = services.endpoint_enable(actor=me, endpoint_id=endpoint.pk, ip=ip)
    elif payload.enabled is False:
        endpoint = services.endpoint_disable(actor=me, endpoint_id=endpoint.pk, ip=ip)
    return endpoint_out(endpoint)


@router.delete("/webhooks/endpoints/{endpoint_id}", response={204: None}, auth=AUTH)
def endpoint_delete(request: HttpRequest, endpoint_id: str) -> Status[None]:
    services.endpoint_delete(actor=_me(request), endpoint_id=endpoint_id, ip=client_ip(request))
    return Status(204, None)


@router.post("/webhooks/endpoints/{endpoint_id}/rotate-secret", response=schemas.SecretOut, auth=AUTH)
def endpoint_rotate(request: HttpRequest, endpoint_id: str) -> dict[str, Any]:
    """A new signing secret, shown this once; the previous one signs beside it for 24 hours."""
    endpoint, secret = services.endpoint_rotate_secret(
        actor=_me(request), endpoint_id=endpoint_id, ip=client_ip(request)
    )
    return {"id": endpoint.pk, "secret": secret, "previous_valid_until": endpoint.previous_secret_until}


@router.post("/webhooks/endpoints/{endpoint_id}/test", response={202: schemas.DeliveryOut}, auth=AUTH)
def endpoint_test(request: HttpRequest, endpoint_id: str) -> Status[dict[str, Any]]:
    """Send a `webhook.test` event to this endpoint (on the next delivery pass, within seconds)."""
    return Status(202, delivery_out(services.endpoint_test(actor=_me(request), endpoint_id=endpoint_id)))


@router.get("/webhooks/endpoints/{endpoint_id}/deliveries", response=list[schemas.DeliveryOut], auth=AUTH)
def endpoint_deliveries(request: HttpRequest, endpoint_id: str, status: str = "") -> list[dict[str, Any]]:
    endpoint = selectors.access_endpoint(_me(request), endpoint_id)
    wanted = status if status in Delivery.Status.values else ""
    return [delivery_out(d) for d in selectors.deliveries_of(endpoint, status=wanted)]


@router.get("/webhooks/deliveries/{delivery_id}", response=schemas.DeliveryDetail, auth=AUTH)
def delivery_get(request: HttpRequest, delivery_id: str) -> dict[str, Any]:
    delivery = selectors.access_delivery(_me(request), delivery_id)
    return {
        **delivery_out(delivery),
        "body": delivery.event.body,
        "attempt_log": [attempt_out(a) for a in selectors.attempts_of(delivery)],
    }


@router.post("/webhooks/deliveries/{delivery_id}/replay", response=schemas.AttemptOut, auth=AUTH)
def delivery_replay(request: HttpRequest, delivery_id: str) -> dict[str, Any]:
    """Send this delivery again now: a new attempt of the same delivery (same `webhook-id`, same body)."""
    attempt = services.delivery_replay(actor=_me(request), delivery_id=delivery_id, ip=client_ip(request))
    return attempt_out(attempt)
