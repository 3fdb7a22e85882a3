"""Push devices: a browser's subscription saved (encrypted, found again by a keyed hash) and removed."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from stagedoor.core.audit import audit_record
from stagedoor.notifications import conf, errors
from stagedoor.notifications.models import PushSubscription
from stagedoor.notifications.push import valid_auth_secret, valid_p256_point
from stagedoor.notifications.selectors import endpoint_hash

ENDPOINT_MAX = 1000


def device_subscribe(*, user: Any, endpoint: str, p256dh: str, auth: str, user_agent: str = "") -> PushSubscription:
    """Save this browser's push subscription for `user`. The same endpoint again updates its keys; an endpoint
    another person saved on a shared browser moves to whoever subscribes now."""
    endpoint = (endpoint or "").strip()
    if not endpoint or len(endpoint) > ENDPOINT_MAX or not conf.endpoint_allowed(endpoint):
        raise errors.InvalidSubscription(extra={"field": "endpoint"})
    if not valid_p256_point(p256dh):
        raise errors.InvalidSubscription(extra={"field": "keys.p256dh"})
    if not valid_auth_secret(auth):
        raise errors.InvalidSubscription(extra={"field": "keys.auth"})
    digest = endpoint_hash(endpoint)
    keys = {"p256dh": p256dh, "auth": auth}
    for _ in range(2):
        try:
            with transaction.atomic():
                found = PushSubscription.objects.select_for_update().filter(endpoint_hash=digest).first()
                if found is None:
                    if PushSubscription.objects.filter(user_id=user.pk).count() >= conf.MAX_DEVICES:
                        raise errors.TooManyDevices(extra={"max": conf.MAX_DEVICES})
                    return PushSubscription.objects.create(
                        user_id=user.pk,
                        endpoint=endpoint,
                        keys=keys,
                        endpoint_hash=digest,
                        user_agent=user_agent[:200],
                    )
                found.user_id = user.pk
                found.keys = keys
                found.failures = 0
                found.user_agent = user_agent[:200]
                found.save(update_fields=["user_id", "keys", "failures", "user_agent"])
                return found
        except IntegrityError:  # the same endpoint saved at the same moment: the second pass updates it
            continue
    raise errors.InvalidSubscription(extra={"field": "endpoint"})


def device_unsubscribe(*, user: Any, endpoint: str) -> bool:
    """Forget this browser's subscription (the person turned push off on it). True if there was one."""
    deleted, _ = PushSubscription.objects.filter(user_id=user.pk, endpoint_hash=endpoint_hash(endpoint)).delete()
    return deleted > 0


def device_remove(*, user: Any, device_id: str) -> None:
    deleted, _ = PushSubscription.objects.filter(user_id=user.pk, pk=device_id).delete()
    if not deleted:
        raise errors.SubscriptionNotFound()


def devices_staff_remove(*, actor: Any, user: Any, reason: str, ip: str = "") -> int:
    """Staff remove every push device of a person (a lost phone, pushes reaching the wrong person). Audited."""
    with transaction.atomic():
        removed, _ = PushSubscription.objects.filter(user_id=user.pk).delete()
        audit_record(
            actor=actor,
            action="notifications.devices_remove",
            target=user,
            ip=ip,
            data={"removed": removed, "reason": reason[:500]},
        )
    return removed
