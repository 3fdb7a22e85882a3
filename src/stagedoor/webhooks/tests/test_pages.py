"""The studio's webhooks pages and the console's site-wide section: create (the secret shown once), refusals on the
form, the log, enable after an automatic disabling, replay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from stagedoor.wallet.tests.conftest import consent
from stagedoor.webhooks import events, services
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    consent(user)
    client = Client()
    client.force_login(user)
    return client


def test_studio_create_shows_the_secret_once_and_a_private_address_is_refused_on_the_form(
    make_user: Any, receiver: Receiver, settings: Any
) -> None:
    performer = make_user("performer")
    client = _client(performer)
    page = client.get("/studio/webhooks")
    assert page.status_code == 200 and b'data-testid="webhook-form"' in page.content
    refused = client.post("/studio/webhooks", {"url": "http://10.9.8.7/x", "event_types": ["tip.received"]})
    assert refused.status_code == 422 and b"private network" in refused.content
    assert Endpoint.objects.count() == 0
    created = client.post("/studio/webhooks", {"url": receiver.url("/s"), "event_types": ["tip.received"]})
    endpoint = Endpoint.objects.get()
    assert created.status_code == 200 and endpoint.secret.encode() in created.content
    again = client.get("/studio/webhooks")
    assert endpoint.secret.encode() not in again.content and receiver.url("/s").encode() in again.content
    detail = client.get(f"/studio/webhooks/{endpoint.pk}")
    assert detail.status_code == 200 and endpoint.secret.encode() not in detail.content
    assert b'data-testid="studio-webhooks"' in client.get("/studio").content


def test_the_studio_is_for_performers_and_only_their_own(make_user: Any, receiver: Receiver) -> None:
    owner = make_user("performer")
    endpoint, _ = services.endpoint_create(
        actor=owner, scope="performer", url=receiver.url("/o"), event_types=["room.live"]
    )
    assert _client(make_user("viewer")).get("/studio/webhooks").status_code == 403
    other = _client(make_user("performer"))
    assert other.get(f"/studio/webhooks/{endpoint.pk}").status_code == 404
    assert other.post(f"/studio/webhooks/{endpoint.pk}/delete").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()


def test_enable_again_after_failing_and_replay_from_the_delivery_page(
    make_user: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    performer = make_user("performer")
    endpoint, secret = services.endpoint_create(
        actor=performer, scope="performer", url=receiver.url("/p"), event_types=["tip.received"]
    )
    receiver.secrets["/p"] = secret
    Endpoint.objects.filter(pk=endpoint.pk).update(
        status="disabled", disabled_reason="failing", disabled_at=endpoint.created_at, consecutive_failures=15
    )
    services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={"amount": 1}, key="held-1")
    client = _client(performer)
    page = client.get(f"/studio/webhooks/{endpoint.pk}")
    assert b"Disabled automatically" in page.content and b"1 held" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/studio/webhooks/{endpoint.pk}/enable")
    assert resp.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.status == "succeeded" and len(receiver.on("/p")) == 1
    resp = client.post(f"/studio/webhooks/deliveries/{delivery.pk}")
    assert resp.status_code == 302
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "manual", "outcome")) == [
        (1, False, "ok"),
        (2, True, "ok"),
    ]
    log = client.get(f"/studio/webhooks/deliveries/{delivery.pk}")
    assert log.content.count(b'data-testid="webhook-attempt"') == 2


def test_console_site_wide_endpoints(make_user: Any, receiver: Receiver, api_client: Callable[..., Any]) -> None:
    admin = make_user("admin")
    client = _client(admin)
    page = client.get("/staff/webhooks/")
    assert page.status_code == 200
    created = client.post("/staff/webhooks/", {"url": receiver.url("/site"), "event_types": list(events.EVENT_TYPES)})
    endpoint = Endpoint.objects.get()
    assert endpoint.scope == "site" and endpoint.secret.encode() in created.content
    rotated = client.post(f"/staff/webhooks/{endpoint.pk}/rotate")
    endpoint.refresh_from_db()
    assert rotated.status_code == 200 and endpoint.secret.encode() in rotated.content
    assert client.post(f"/staff/webhooks/{endpoint.pk}/disable").status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.disabled_reason) == ("disabled", "owner")
    performer_endpoint, _ = services.endpoint_create(
        actor=make_user("performer"), scope="performer", url=receiver.url("/x"), event_types=["room.live"]
    )
    assert client.get(f"/staff/webhooks/{performer_endpoint.pk}/").status_code == 404
    assert _client(make_user("finance")).get("/staff/webhooks/").status_code == 403
