"""Every write of webhooks: endpoints, events, deliveries (see the modules)."""

from stagedoor.webhooks.services.delivery import backoff_seconds, deliver_due, delivery_replay, send
from stagedoor.webhooks.services.emit import endpoint_test, envelope, event_emit
from stagedoor.webhooks.services.endpoints import (
    ROTATION_OVERLAP,
    endpoint_auto_disable,
    endpoint_create,
    endpoint_delete,
    endpoint_disable,
    endpoint_disabled_notify,
    endpoint_enable,
    endpoint_rotate_secret,
    endpoint_update,
    event_types_check,
    url_check,
)

__all__ = [
    "ROTATION_OVERLAP",
    "backoff_seconds",
    "deliver_due",
    "delivery_replay",
    "endpoint_auto_disable",
    "endpoint_create",
    "endpoint_delete",
    "endpoint_disable",
    "endpoint_disabled_notify",
    "endpoint_enable",
    "endpoint_rotate_secret",
    "endpoint_test",
    "endpoint_update",
    "envelope",
    "event_emit",
    "event_types_check",
    "send",
    "url_check",
]
