"""The person's endpoints (never the secret) in their export; erasure removes their endpoints and every stored
event about them, and leaves a site-wide endpoint without its creator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stagedoor.core.privacy_registry import EraseContext
from stagedoor.webhooks import events, services
from stagedoor.webhooks.models import Delivery, Endpoint, WebhookEvent
from stagedoor.webhooks.privacy import erase_webhooks, export_webhooks

pytestmark = pytest.mark.django_db


def test_export_and_erasure(make_user: Any) -> None:
    performer, tipper, admin = make_user("performer"), make_user("viewer"), make_user("admin")
    mine, secret = services.endpoint_create(
        actor=performer, scope="performer", url="https://93.184.215.14/p", event_types=[events.TIP_RECEIVED]
    )
    site, _ = services.endpoint_create(
        actor=admin, scope="site", url="https://93.184.215.14/s", event_types=[events.TIP_RECEIVED]
    )
    data = {"sender": {"id": str(tipper.pk), "name": "T"}}
    services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data=data, key="e1")
    other = make_user("performer")
    services.event_emit(type=events.TIP_RECEIVED, performer_id=str(other.pk), data={"x": 1}, key="e2")

    exported = export_webhooks(performer)
    assert [row["id"] for row in exported["webhook_endpoints"]] == [mine.pk]
    assert secret not in json.dumps(exported, default=str)
    assert len(exported["webhook_events"]) == 1 and len(exported["webhook_deliveries"]) == 1

    result = erase_webhooks(EraseContext(user=tipper, tombstone="erased_x"))  # named inside an event
    assert result.changed == 1 and list(WebhookEvent.objects.values_list("key", flat=True)) == ["e2"]
    erase_webhooks(EraseContext(user=performer, tombstone="erased_y"))
    assert not Endpoint.objects.filter(pk=mine.pk).exists()
    erase_webhooks(EraseContext(user=admin, tombstone="erased_z"))
    site.refresh_from_db()
    assert site.owner_id is None and Delivery.objects.filter(endpoint=site).count() == 1
