"""Endpoints: create, change, enable, disable, remove, rotate the secret. Every write is audited; a refused one
changes nothing. The secret is returned (to be shown once) by creation and rotation only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.audit import audit_record
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.outbox import outbox_publish
from stagedoor.webhooks import addresses, conf, errors, events, selectors, signing
from stagedoor.webhooks.models import Delivery, Endpoint

#: after a rotation the previous secret still signs (beside the new one) this long
ROTATION_OVERLAP = timedelta(hours=24)
DESCRIPTION_MAX = 200


def _perm_for(scope: str) -> str:
    return Perm.WEBHOOKS_SITE_MANAGE if scope == Endpoint.Scope.SITE else Perm.WEBHOOKS_MANAGE


def _refusal[E: ValidationFailed](cls: type[E], field: str, **extra: Any) -> E:
    return cls(extra={"fields": {field: [cls.default_message]}, **extra})


def url_check(url: str) -> str:
    """The URL, stripped, if it may be an endpoint (see `addresses`); else a typed error."""
    url = (url or "").strip()
    try:
        addresses.check(url, conf.current().allowed_networks)
    except addresses.AddressProblem as problem:
        if problem.kind == "private":
            raise _refusal(errors.PrivateAddress, "url") from None
        if problem.kind == "unresolvable":
            raise _refusal(errors.UnresolvableHost, "url") from None
        raise _refusal(errors.InvalidUrl, "url") from None
    return url


def event_types_check(chosen: Any) -> list[str]:
    if not isinstance(chosen, list | tuple) or not chosen or any(t not in events.EVENT_TYPES for t in chosen):
        raise _refusal(errors.InvalidEventTypes, "event_types", allowed=list(events.EVENT_TYPES))
    return [t for t in events.EVENT_TYPES if t in chosen]  # the catalogue's order, each once


def _description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise ValidationFailed.of_field("description", f"At most {DESCRIPTION_MAX} characters.")
    return text


def _audit(actor: Any, action: str, endpoint: Endpoint, ip: str = "", **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        target=endpoint,
        ip=ip,
        data={"scope": endpoint.scope, "url": endpoint.url, "owner_id": str(endpoint.owner_id or ""), **data},
    )


def endpoint_create(
    *, actor: Any, scope: str, url: str, event_types: Any, description: str = "", ip: str = ""
) -> tuple[Endpoint, str]:
    """A new endpoint and its secret (shown once). A performer's takes their own events; a site-wide one
    (staff) every performer's."""
    if scope not in Endpoint.Scope.values:
        raise errors.EndpointNotFound()
    require_perm(actor, _perm_for(scope))
    url = url_check(url)
    types = event_types_check(event_types)
    text = _description(description)
    limit = conf.current().max_endpoints
    with transaction.atomic():
        # one creation per owner at a time, so two at once cannot pass the limit together
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        if selectors.endpoint_count(owner=actor, scope=scope) >= limit:
            raise errors.TooManyEndpoints(extra={"max": limit})
        secret = signing.new_secret()
        endpoint = Endpoint.objects.create(
            scope=scope, owner=actor, url=url, description=text, event_types=types, secret=secret
        )
        _audit(actor, "webhooks.endpoint_created", endpoint, ip, event_types=types)
    return endpoint, secret


def endpoint_update(
    *,
    actor: Any,
    endpoint_id: str,
    url: str | None = None,
    event_types: Any = None,
    description: str | None = None,
    ip: str = "",
) -> Endpoint:
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    changes: dict[str, Any] = {}
    if url is not None and url.strip() != endpoint.url:
        changes["url"] = url_check(url)
    if event_types is not None:
        types = event_types_check(event_types)
        if types != endpoint.event_types:
            changes["event_types"] = types
    if description is not None and _description(description) != endpoint.description:
        changes["description"] = _description(description)
    if not changes:
        return endpoint
    with transaction.atomic():
        before = {k: getattr(endpoint, k) for k in changes}
        for key, value in changes.items():
            setattr(endpoint, key, value)
        endpoint.save(update_fields=[*changes, "updated_at"])
        _audit(actor, "webhooks.endpoint_changed", endpoint, ip, before=before, after=changes)
    return endpoint


def endpoint_rotate_secret(*, actor: Any, endpoint_id: str, ip: str = "") -> tuple[Endpoint, str]:
    """A new secret (shown once); the previous one keeps signing beside it for ROTATION_OVERLAP."""
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret = signing.new_secret()
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"])
        _audit(actor, "webhooks.secret_rotated", endpoint, ip)
    return endpoint, secret


def endpoint_disable(*, actor: Any, endpoint_id: str, ip: str = "") -> Endpoint:
    """Stop sending: what is pending is held (kept, and sent once the endpoint is enabled again)."""
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    with transaction.atomic():
        now = timezone.now()
        changed = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.Status.ACTIVE).update(
            status=Endpoint.Status.DISABLED, disabled_reason="owner", disabled_at=now, updated_at=now
        )
        if changed:
            Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.HELD, lease_until=None, updated_at=now
            )
            _audit(actor, "webhooks.endpoint_disabled", endpoint, ip)
    endpoint.refresh_from_db()
    return endpoint


def endpoint_enable(*, actor: Any, endpoint_id: str, ip: str = "") -> Endpoint:
    """Start again (after the owner's own stop, or the automatic one): the count of failures starts from zero and
    every held delivery is due now."""
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    with transaction.atomic():
        now = timezone.now()
        changed = Endpoint.objects.filter(pk=endpoint.pk, status=Endpoint.Status.DISABLED).update(
            status=Endpoint.Status.ACTIVE,
            disabled_reason="",
            disabled_at=None,
            consecutive_failures=0,
            failing_since=None,
            updated_at=now,
        )
        if changed:
            released = Delivery.objects.filter(
                endpoint=endpoint, status__in=[Delivery.Status.HELD, Delivery.Status.PENDING]
            ).update(status=Delivery.Status.PENDING, next_attempt_at=now, lease_until=None, updated_at=now)
            _audit(actor, "webhooks.endpoint_enabled", endpoint, ip, released=released, was=endpoint.disabled_reason)
            transaction.on_commit(_kick)
    endpoint.refresh_from_db()
    return endpoint


def endpoint_delete(*, actor: Any, endpoint_id: str, ip: str = "") -> None:
    endpoint = selectors.access_endpoint(actor, endpoint_id)
    with transaction.atomic():
        _audit(actor, "webhooks.endpoint_deleted", endpoint, ip)
        endpoint.delete()


def endpoint_auto_disable(*, endpoint_id: str, now: Any) -> bool:
    """Disable an endpoint that failed `disable_after_failures` times in a row over at least
    `disable_after_hours` (a conditional update: once). Pending deliveries are held; the owner is told."""
    cfg = conf.current()
    with transaction.atomic():
        changed = Endpoint.objects.filter(
            pk=endpoint_id,
            status=Endpoint.Status.ACTIVE,
            consecutive_failures__gte=cfg.disable_after_failures,
            failing_since__lte=now - timedelta(hours=cfg.disable_after_hours),
        ).update(status=Endpoint.Status.DISABLED, disabled_reason="failing", disabled_at=now, updated_at=now)
        if not changed:
            return False
        endpoint = Endpoint.objects.get(pk=endpoint_id)
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.HELD, lease_until=None, updated_at=now
        )
        _audit(None, "webhooks.endpoint_auto_disabled", endpoint, failures=endpoint.consecutive_failures)
        outbox_publish(
            topic=events.ENDPOINT_DISABLED,
            payload={
                "endpoint_id": endpoint.pk,
                "owner_id": str(endpoint.owner_id) if endpoint.owner_id else None,
                "reason": "failing",
                "failures": endpoint.consecutive_failures,
            },
        )
    return True


def endpoint_disabled_notify(*, endpoint_id: str) -> bool:
    """Mail the owner that their endpoint was disabled (the outbox handler calls it once per disabling)."""
    from django.conf import settings
    from django.core.mail import send_mail

    endpoint = Endpoint.objects.select_related("owner").filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.owner is None or not endpoint.owner.email:
        return False
    cfg = conf.current()
    page = (
        f"/studio/webhooks/{endpoint.pk}"
        if endpoint.scope == Endpoint.Scope.PERFORMER
        else f"/staff/webhooks/{endpoint.pk}/"
    )
    send_mail(
        "Stagedoor: a webhook endpoint was disabled",
        f"Hello {endpoint.owner.shown_name},\n\nYour webhook endpoint {endpoint.url} failed "
        f"{endpoint.consecutive_failures} times in a row over more than {cfg.disable_after_hours} hours, so we "
        "stopped sending to it. Nothing is lost: the events since are kept and will be sent once you enable it "
        f"again at {settings.STAGEDOOR.base_url}{page}\n",
        None,
        [endpoint.owner.email],
    )
    return True


def _kick() -> None:
    from stagedoor.core import jobs

    jobs.enqueue("webhooks.deliver_due")
