"""Delivery against a real HTTP endpoint on loopback that verifies every signature: retries after a 500 or a slow
answer carry the same `webhook-id` and body (never a new event), nothing is lost, a slow endpoint does not hold the
others up, a dead one is disabled and its owner told, and a replay is a new attempt of the same delivery."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.wallet import services as wallet
from stagedoor.wallet.tests.conftest import fund_wallet
from stagedoor.webhooks import events, services
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint, WebhookEvent
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = pytest.mark.django_db
Make = Callable[..., tuple[Endpoint, str]]


def _emit(performer: Any, key: str, *, commit: Any, data: dict[str, Any] | None = None) -> WebhookEvent:
    with commit(execute=True):
        event = services.event_emit(
            type=events.TIP_RECEIVED, performer_id=str(performer.pk), data=data or {"amount": 5}, key=key
        )
    assert event is not None
    return event


def test_a_tip_reaches_the_performers_endpoint_signed_in_the_envelope(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer, viewer = make_user("performer", login="mira"), make_user("viewer", login="tom")
    endpoint, _ = endpoint_for(performer, "/mira", [events.TIP_RECEIVED])
    fund_wallet(viewer, 100)
    with django_capture_on_commit_callbacks(execute=True):
        tip = wallet.tip_send(sender=viewer, performer=performer, amount=25, idempotency_key="tip-00001", message="hi!")

    [got] = receiver.on("/mira")
    assert got.verified is True
    event = WebhookEvent.objects.get()
    assert got.msg_id == event.pk
    body = json.loads(got.body)
    assert got.body == event.body.encode()
    assert body["id"] == event.pk and body["type"] == "tip.received"
    assert body["created_at"] == event.created_at.isoformat().replace("+00:00", "Z")
    assert body["data"] == {
        "tip_id": tip.pk,
        "performer_id": str(performer.pk),
        "performer_login": "mira",
        "room_id": None,
        "amount": 25,
        "message": "hi!",
        "sender": {"id": str(viewer.pk), "name": viewer.shown_name},
        "menu_item": None,
        "sent_at": body["data"]["sent_at"],
    }
    delivery = Delivery.objects.get()
    assert (delivery.endpoint_id, delivery.status, delivery.attempts, delivery.last_status_code) == (
        endpoint.pk,
        "succeeded",
        1,
        200,
    )
    [attempt] = Attempt.objects.all()
    assert (attempt.number, attempt.outcome, attempt.status_code, attempt.response_body) == (
        1,
        "ok",
        200,
        '{"ok":true}',
    )


def test_an_anonymous_tip_does_not_name_the_tipper(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer, viewer = make_user("performer"), make_user("viewer")
    endpoint_for(performer, "/p", [events.TIP_RECEIVED])
    fund_wallet(viewer, 100)
    with django_capture_on_commit_callbacks(execute=True):
        wallet.tip_send(sender=viewer, performer=performer, amount=5, idempotency_key="anon-00001", anonymous=True)
    [got] = receiver.on("/p")
    data = json.loads(got.body)["data"]
    assert data["sender"] is None
    assert str(viewer.pk) not in got.body.decode() and viewer.login not in got.body.decode()


def test_a_500_then_200_is_one_event_delivered_on_the_retry_with_the_same_id_and_body(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer = make_user("performer")
    endpoint, _ = endpoint_for(performer, "/flaky", [events.TIP_RECEIVED])
    receiver.script("/flaky", "500", "200")
    before = timezone.now()
    event = _emit(performer, "k1", commit=django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    assert delivery.next_attempt_at is not None
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 15 <= wait <= 31  # base 30 s, its upper half random
    [first] = Attempt.objects.all()
    assert (first.outcome, first.status_code, len(first.response_body)) == ("http_error", 500, 1024)
    assert services.deliver_due(now=timezone.now()) == 0  # not due yet: nothing sent

    assert services.deliver_due(now=delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    got = receiver.on("/flaky")
    assert [r.msg_id for r in got] == [event.pk, event.pk]
    assert got[0].body == got[1].body == event.body.encode()
    assert all(r.verified for r in got)
    assert WebhookEvent.objects.count() == 1 and Delivery.objects.count() == 1
    endpoint.refresh_from_db()
    assert (endpoint.consecutive_failures, endpoint.failing_since) == (0, None)
    assert services.deliver_due(now=timezone.now() + timedelta(days=1)) == 0  # delivered: never sent again


def test_a_slow_endpoint_times_out_without_holding_up_another_then_gets_the_same_event(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer, staff = make_user("performer"), make_user("admin")
    endpoint_for(performer, "/slow", [events.TIP_RECEIVED])
    endpoint_for(staff, "/fast", [events.TIP_RECEIVED], scope="site")
    receiver.script("/slow", "slow", "200")
    event = _emit(performer, "k2", commit=django_capture_on_commit_callbacks)

    slow = Delivery.objects.get(endpoint__url__endswith="/slow")
    fast = Delivery.objects.get(endpoint__url__endswith="/fast")
    assert (fast.status, fast.attempts) == ("succeeded", 1)
    assert (slow.status, slow.attempts, slow.last_status_code) == ("pending", 1, None)
    [timed_out] = Attempt.objects.filter(delivery=slow)
    assert timed_out.outcome == "timeout" and timed_out.error.startswith("no answer within 1 s")

    assert services.deliver_due(now=slow.next_attempt_at) == 1
    slow.refresh_from_db()
    assert (slow.status, slow.attempts) == ("succeeded", 2)
    assert [r.msg_id for r in receiver.on("/slow")] == [event.pk, event.pk]
    assert [r.msg_id for r in receiver.on("/fast")] == [event.pk]


def test_endpoints_get_only_their_performers_events_and_site_wide_ones_get_all(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    ana, ben, admin = make_user("performer"), make_user("performer"), make_user("admin")
    endpoint_for(ana, "/ana", [events.TIP_RECEIVED])
    endpoint_for(ben, "/ben", [events.ROOM_LIVE])  # not tips
    endpoint_for(admin, "/site", [events.TIP_RECEIVED], scope="site")
    a = _emit(ana, "a", commit=django_capture_on_commit_callbacks)
    b = _emit(ben, "b", commit=django_capture_on_commit_callbacks)
    assert [r.msg_id for r in receiver.on("/ana")] == [a.pk]
    assert receiver.on("/ben") == []
    assert sorted(r.msg_id for r in receiver.on("/site")) == sorted([a.pk, b.pk])


def test_emitting_twice_with_one_key_is_one_event(make_user: Any, endpoint_for: Make) -> None:
    performer = make_user("performer")
    endpoint_for(performer, "/p", [events.TIP_RECEIVED])
    first = services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={}, key="same")
    again = services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={}, key="same")
    assert first is not None and again is not None and first.pk == again.pk
    assert (WebhookEvent.objects.count(), Delivery.objects.count()) == (1, 1)
    assert services.event_emit(type=events.TIP_RECEIVED, performer_id=None, data={}, key="nobody") is None


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(make_user: Any, endpoint_for: Make) -> None:
    from stagedoor.webhooks.services.delivery import _claim

    performer = make_user("performer")
    endpoint_for(performer, "/p", [events.TIP_RECEIVED])
    services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={}, key="lease")
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert _claim(delivery.pk, now=now, lease=timedelta(seconds=60), manual=False) is not None
    assert _claim(delivery.pk, now=now, lease=timedelta(seconds=60), manual=False) is None
    assert _claim(delivery.pk, now=now, lease=timedelta(seconds=60), manual=True) is None  # a replay waits too
    later = now + timedelta(seconds=61)
    job = _claim(delivery.pk, now=later, lease=timedelta(seconds=60), manual=False)  # the first worker died
    assert job is not None and job.number == 1


def test_after_the_last_attempt_it_fails_and_a_replay_is_a_new_attempt_of_the_same_delivery(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.STAGEDOOR_WEBHOOKS_DISABLE_AFTER_FAILURES = "100"
    performer = make_user("performer")
    endpoint_for(performer, "/down", [events.TIP_RECEIVED])
    receiver.script("/down", "500", "500", "500", "500", "200")
    event = _emit(performer, "k3", commit=django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    while delivery.status == "pending":
        assert services.deliver_due(now=delivery.next_attempt_at) == 1
        delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert services.deliver_due(now=timezone.now() + timedelta(days=30)) == 0

    other = make_user("performer")
    with pytest.raises(Exception) as refused:
        services.delivery_replay(actor=other, delivery_id=delivery.pk)
    assert getattr(refused.value, "code", "") == "webhooks.delivery_not_found"
    assert Attempt.objects.filter(delivery=delivery).count() == 4

    attempt = services.delivery_replay(actor=performer, delivery_id=delivery.pk)
    assert (attempt.number, attempt.manual, attempt.outcome, attempt.status_code) == (5, True, "ok", 200)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 5)
    assert [r.msg_id for r in receiver.on("/down")] == [event.pk] * 5
    assert AuditEntry.objects.filter(action="webhooks.delivery_replayed", target_id=delivery.pk).count() == 1


def test_a_dead_endpoint_is_disabled_after_n_failures_over_m_hours_its_owner_told_and_nothing_lost(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.STAGEDOOR_WEBHOOKS_MAX_ATTEMPTS = "20"
    performer = make_user("performer", login="nova")
    endpoint, _ = endpoint_for(performer, "/dead", [events.TIP_RECEIVED])
    receiver.script("/dead", "500")
    first = _emit(performer, "d1", commit=django_capture_on_commit_callbacks)
    started = Endpoint.objects.get().failing_since
    assert started is not None
    delivery = Delivery.objects.get()
    for _ in range(3):  # three more failures, all within the first hour: not yet
        with django_capture_on_commit_callbacks(execute=True):
            services.deliver_due(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.consecutive_failures) == ("active", 4)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        services.deliver_due(now=started + timedelta(hours=1, seconds=1))
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.disabled_reason, endpoint.consecutive_failures) == ("disabled", "failing", 5)
    delivery.refresh_from_db()
    assert delivery.status == "held"
    [notice] = mail.outbox
    assert notice.to == ["nova@example.test"]
    assert "failed 5 times in a row" in notice.body and f"/studio/webhooks/{endpoint.pk}" in notice.body
    assert AuditEntry.objects.filter(action="webhooks.endpoint_auto_disabled", target_id=endpoint.pk).count() == 1

    second = _emit(performer, "d2", commit=django_capture_on_commit_callbacks)  # while disabled: kept, not sent
    assert Delivery.objects.get(event=second).status == "held"
    assert services.deliver_due(now=timezone.now() + timedelta(days=2)) == 0
    sent_while_disabled = len(receiver.on("/dead"))

    receiver.script("/dead", "200")
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_enable(actor=performer, endpoint_id=endpoint.pk)
    assert len(receiver.on("/dead")) == sent_while_disabled + 2
    assert sorted(r.msg_id for r in receiver.on("/dead")[-2:]) == sorted([first.pk, second.pk])
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    endpoint.refresh_from_db()
    assert (endpoint.status, endpoint.consecutive_failures, endpoint.failing_since) == ("active", 0, None)


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
    make_user: Any, receiver: Receiver, endpoint_for: Make, django_capture_on_commit_callbacks: Any
) -> None:
    performer = make_user("performer")
    endpoint, old = endpoint_for(performer, "/rot", [events.TIP_RECEIVED])
    endpoint, new = services.endpoint_rotate_secret(actor=performer, endpoint_id=endpoint.pk)
    assert new != old and endpoint.previous_secret == old
    receiver.secrets["/rot"] = old  # the receiver has not switched yet
    _emit(performer, "r1", commit=django_capture_on_commit_callbacks)
    receiver.secrets["/rot"] = new
    _emit(performer, "r2", commit=django_capture_on_commit_callbacks)
    assert [r.verified for r in receiver.on("/rot")] == [True, True]
    assert all(len(r.signature.split(" ")) == 2 for r in receiver.on("/rot"))
