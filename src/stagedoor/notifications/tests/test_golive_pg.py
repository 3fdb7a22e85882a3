"""On PostgreSQL: two workers fanning out the same go-live event at once (one alert, each follower once), and two
delivery jobs racing for the same batch (each notification claimed and pushed once). Skipped on SQLite (one writer
at a time there; the point is PostgreSQL's unique-index waits and row-level claims)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from stagedoor.conftest import race, skip_or_fail
from stagedoor.notifications import services
from stagedoor.notifications.models import LiveAlert, Notification
from stagedoor.rooms.models import Room

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_two_workers_fanning_out_one_event_queue_each_follower_once(
    room: Room, follower: Any, push_service: Any
) -> None:
    for i in range(30):
        follower(f"fan{i}")
    at = timezone.now()
    results = race([lambda: services.alert_open(room_id=room.id, event_id="Z" * 26, at=at) for _ in range(3)])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert LiveAlert.objects.count() == 1
    assert Notification.objects.count() == 30
    assert sorted(r.queued for r in results) == [0, 0, 30]
    assert sorted(r.token for r in push_service.received) == sorted(f"fan{i}" for i in range(30))


def test_two_jobs_racing_for_one_batch_push_each_notification_once(
    room: Room, follower: Any, push_service: Any
) -> None:
    for i in range(20):
        follower(f"fan{i}")
    fan = services.alert_open(room_id=room.id, event_id="Y" * 26, at=timezone.now())
    assert fan.alert is not None and len(fan.batches) == 1
    # the on-commit jobs ran already (immediate backend); queue the batch again and race two workers for it
    Notification.objects.update(status="queued", pushed=0)
    push_service.received.clear()
    (lo, hi), alert_id = fan.batches[0], fan.alert.id
    results = race(
        [lambda: services.notifications_deliver_range(alert_id=alert_id, first_id=lo, last_id=hi) for _ in range(2)]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.sent for r in results) == 20
    assert sorted(r.token for r in push_service.received) == sorted(f"fan{i}" for i in range(20))
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
