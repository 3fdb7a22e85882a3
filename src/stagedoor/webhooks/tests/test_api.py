"""The API: create (the secret shown once, stored encrypted), change, refusals that change nothing, who sees
what (anyone else: not found), the delivery log and replays."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from stagedoor.core.models import AuditEntry
from stagedoor.webhooks import events
from stagedoor.webhooks.models import Endpoint
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_create_shows_the_secret_once_and_stores_it_encrypted(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver
) -> None:
    performer = make_user("performer")
    client = api_client(performer)
    resp = _post(
        client,
        "/api/v1/webhooks/endpoints",
        {
            "url": receiver.url("/in"),
            "event_types": ["tip.received", "room.live", "tip.received"],
            "description": "bot",
        },
    )
    assert resp.status_code == 201, resp.content
    created = resp.json()
    secret = created["secret"]
    assert secret.startswith("whsec_")
    assert (created["scope"], created["status"], created["event_types"], created["description"]) == (
        "performer",
        "active",
        ["room.live", "tip.received"],
        "bot",
    )
    listed = client.get("/api/v1/webhooks/endpoints").json()
    assert [e["id"] for e in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/endpoints/{created['id']}").json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_endpoint WHERE id = %s", [created["id"]])
        (stored,) = cursor.fetchone()
    assert stored and secret not in stored and Endpoint.objects.get().secret == secret
    entry = AuditEntry.objects.get(action="webhooks.endpoint_created")
    assert secret not in json.dumps(entry.data) and entry.target_id == created["id"]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"url": "http://10.0.0.5/hook", "event_types": ["tip.received"]}, "webhooks.private_address", "url"),
        ({"url": "http://169.254.169.254/", "event_types": ["tip.received"]}, "webhooks.private_address", "url"),
        ({"url": "ftp://93.184.215.14/", "event_types": ["tip.received"]}, "webhooks.invalid_url", "url"),
        ({"url": "https://93.184.215.14/", "event_types": []}, "webhooks.invalid_event_types", "event_types"),
        ({"url": "https://93.184.215.14/", "event_types": ["tip.sent"]}, "webhooks.invalid_event_types", "event_types"),
        (
            {"url": "https://93.184.215.14/", "event_types": ["webhook.test"]},
            "webhooks.invalid_event_types",
            "event_types",
        ),
    ],
)
def test_bad_input_is_refused_with_its_code_and_changes_nothing(
    make_user: Any, api_client: Callable[..., Any], body: dict[str, Any], code: str, field: str, settings: Any
) -> None:
    settings.STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS = ""
    resp = _post(api_client(make_user("performer")), "/api/v1/webhooks/endpoints", body)
    assert resp.status_code == 422
    assert resp.json()["code"] == code and field in resp.json()["extra"]["fields"]
    assert Endpoint.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="webhooks.").exists()


def test_an_unknown_key_is_refused(make_user: Any, api_client: Callable[..., Any], receiver: Receiver) -> None:
    resp = _post(
        api_client(make_user("performer")),
        "/api/v1/webhooks/endpoints",
        {"url": receiver.url("/x"), "event_types": ["tip.received"], "owner": "someone"},
    )
    assert (resp.status_code, resp.json()["code"]) == (422, "validation_error")
    assert Endpoint.objects.count() == 0


def test_one_owner_has_at_most_the_limit(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver, settings: Any
) -> None:
    settings.STAGEDOOR_WEBHOOKS_MAX_ENDPOINTS = "2"
    client = api_client(make_user("performer"))
    for n in range(2):
        assert (
            _post(
                client, "/api/v1/webhooks/endpoints", {"url": receiver.url(f"/{n}"), "event_types": ["room.live"]}
            ).status_code
            == 201
        )
    resp = _post(client, "/api/v1/webhooks/endpoints", {"url": receiver.url("/3"), "event_types": ["room.live"]})
    assert (resp.status_code, resp.json()["code"], resp.json()["extra"]) == (
        409,
        "webhooks.too_many_endpoints",
        {"max": 2},
    )
    assert Endpoint.objects.count() == 2


def test_someone_elses_endpoint_is_not_found_and_untouched(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver
) -> None:
    owner, other, admin = make_user("performer"), make_user("performer"), make_user("admin")
    created = _post(
        api_client(owner), "/api/v1/webhooks/endpoints", {"url": receiver.url("/o"), "event_types": ["room.live"]}
    ).json()
    url = f"/api/v1/webhooks/endpoints/{created['id']}"
    for intruder in (other, admin):  # an administrator manages site-wide endpoints, not performers' own
        client = api_client(intruder)
        assert client.get(url).json()["code"] == "webhooks.endpoint_not_found"
        resp = client.patch(url, data=json.dumps({"url": receiver.url("/stolen")}), content_type="application/json")
        assert (resp.status_code, resp.json()["code"]) == (404, "webhooks.endpoint_not_found")
        assert client.delete(url).status_code == 404
        assert client.post(f"{url}/rotate-secret").status_code == 404
    endpoint = Endpoint.objects.get()
    assert endpoint.url == receiver.url("/o") and endpoint.secret == created["secret"]


def test_patch_changes_disables_and_enables(make_user: Any, api_client: Callable[..., Any], receiver: Receiver) -> None:
    client = api_client(make_user("performer"))
    created = _post(
        client, "/api/v1/webhooks/endpoints", {"url": receiver.url("/a"), "event_types": ["room.live"]}
    ).json()
    url = f"/api/v1/webhooks/endpoints/{created['id']}"
    resp = client.patch(
        url, data=json.dumps({"event_types": ["payout.sent"], "enabled": False}), content_type="application/json"
    )
    assert resp.status_code == 200
    assert (resp.json()["event_types"], resp.json()["status"], resp.json()["disabled_reason"]) == (
        ["payout.sent"],
        "disabled",
        "owner",
    )
    bad = client.patch(
        url, data=json.dumps({"url": "http://192.168.1.1/", "enabled": True}), content_type="application/json"
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "webhooks.private_address")
    endpoint = Endpoint.objects.get()
    assert (endpoint.url, endpoint.status) == (receiver.url("/a"), "disabled")  # nothing changed
    resp = client.patch(url, data=json.dumps({"enabled": True}), content_type="application/json")
    assert resp.json()["status"] == "active"


def test_site_endpoints_are_for_administrators(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver
) -> None:
    body = {"url": receiver.url("/site"), "event_types": list(events.EVENT_TYPES)}
    assert _post(api_client(make_user("performer")), "/api/v1/webhooks/site-endpoints", body).status_code == 403
    admin = make_user("admin")
    resp = _post(api_client(admin), "/api/v1/webhooks/site-endpoints", body)
    assert resp.status_code == 201 and resp.json()["scope"] == "site"
    assert [e["id"] for e in api_client(make_user("admin")).get("/api/v1/webhooks/site-endpoints").json()] == [
        resp.json()["id"]
    ]
    assert api_client(make_user("finance")).get(f"/api/v1/webhooks/endpoints/{resp.json()['id']}").status_code == 404


def test_test_event_log_detail_and_replay(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    client = api_client(make_user("performer"))
    created = _post(
        client, "/api/v1/webhooks/endpoints", {"url": receiver.url("/t"), "event_types": ["room.live"]}
    ).json()
    receiver.secrets["/t"] = created["secret"]
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"/api/v1/webhooks/endpoints/{created['id']}/test")
    assert resp.status_code == 202 and resp.json()["event_type"] == "webhook.test"
    [got] = receiver.on("/t")
    assert got.verified and json.loads(got.body)["type"] == "webhook.test"
    log = client.get(f"/api/v1/webhooks/endpoints/{created['id']}/deliveries").json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [("succeeded", 1, 200)]
    assert client.get(f"/api/v1/webhooks/endpoints/{created['id']}/deliveries?status=failed").json() == []
    detail = client.get(f"/api/v1/webhooks/deliveries/{log[0]['id']}").json()
    assert detail["body"] == got.body.decode() and [a["outcome"] for a in detail["attempt_log"]] == ["ok"]
    replay = client.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay")
    assert (replay.status_code, replay.json()["number"], replay.json()["manual"]) == (200, 2, True)
    assert [r.msg_id for r in receiver.on("/t")] == [got.msg_id, got.msg_id]
    other = api_client(make_user("performer"))
    assert other.post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay").json()["code"] == (
        "webhooks.delivery_not_found"
    )
    assert len(receiver.on("/t")) == 2


def test_a_disabled_endpoint_cannot_be_tested_or_replayed(
    make_user: Any, api_client: Callable[..., Any], receiver: Receiver
) -> None:
    client = api_client(make_user("performer"))
    created = _post(
        client, "/api/v1/webhooks/endpoints", {"url": receiver.url("/d"), "event_types": ["room.live"]}
    ).json()
    client.patch(
        f"/api/v1/webhooks/endpoints/{created['id']}", data='{"enabled": false}', content_type="application/json"
    )
    resp = client.post(f"/api/v1/webhooks/endpoints/{created['id']}/test")
    assert (resp.status_code, resp.json()["code"]) == (409, "webhooks.endpoint_disabled")
    assert receiver.received == []


def test_event_types_are_listed_for_anyone(api_client: Callable[..., Any]) -> None:
    resp = api_client().get("/api/v1/webhooks/event-types")
    assert [t["type"] for t in resp.json()] == [
        "room.live",
        "room.offline",
        "tip.received",
        "fan.joined",
        "show.booked",
        "payout.sent",
    ]
