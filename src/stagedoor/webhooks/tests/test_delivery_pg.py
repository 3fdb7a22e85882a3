"""On PostgreSQL: two workers run delivery passes at the same time over the same due deliveries (one endpoint
answering 500 first). Every event reaches the endpoint exactly once as delivered, each attempt is sent by one
worker only (the claim is a conditional update), and the attempt log has no gaps or doubles."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import close_old_connections, connection

from stagedoor.conftest import skip_or_fail
from stagedoor.webhooks import events, services
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint
from stagedoor.webhooks.tests.receiver import Receiver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_two_workers_never_send_one_attempt_twice(
    make_user: Any, receiver: Receiver, endpoint_for: Any, settings: Any
) -> None:
    settings.STAGEDOOR_WEBHOOKS_BACKOFF_BASE_S = "0"
    settings.STAGEDOOR_WEBHOOKS_BACKOFF_MAX_S = "0"
    performer = make_user("performer")
    endpoint, _ = endpoint_for(performer, "/race", [events.TIP_RECEIVED])
    receiver.script("/race", "500", "500", "200")
    # made while the endpoint is off, so that no delivery goes out before both workers start
    services.endpoint_disable(actor=performer, endpoint_id=endpoint.pk)
    ids = [
        services.event_emit(type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={"n": n}, key=f"race-{n}")
        for n in range(12)
    ]
    assert all(e is not None for e in ids)
    Endpoint.objects.filter(pk=endpoint.pk).update(status="active", disabled_reason="", disabled_at=None)
    assert Delivery.objects.filter(status="held").update(status="pending") == 12
    gate = threading.Barrier(2)
    made: list[int] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            gate.wait(10)
            for _ in range(3):  # both on the real clock; a retry is due at once (no backoff here)
                made.append(services.deliver_due())
        except BaseException as exc:
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    got = receiver.on("/race")
    assert sum(made) == len(got) == Attempt.objects.count() == 14  # 12 events + the two 500s, each sent once
    per_delivery = Counter(Attempt.objects.values_list("delivery_id", flat=True))
    for delivery in Delivery.objects.all():
        numbers = sorted(Attempt.objects.filter(delivery=delivery).values_list("number", flat=True))
        assert numbers == list(range(1, per_delivery[delivery.pk] + 1)) and delivery.attempts == len(numbers)
    assert Counter(r.msg_id for r in got if r.verified) == Counter(
        a.delivery.event_id for a in Attempt.objects.select_related("delivery")
    )
