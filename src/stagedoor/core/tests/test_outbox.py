from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from stagedoor.core import jobs
from stagedoor.core.models import OutboxDelivery, OutboxEvent
from stagedoor.core.outbox import consumer, outbox_dispatch, outbox_publish, outbox_sweep

SEEN: list[str] = []
FAIL_ONCE: dict[str, bool] = {}


@consumer("test.happened", name="tests.record")
def _record(event: OutboxEvent) -> None:
    SEEN.append(event.payload["n"])


@consumer("test.flaky", name="tests.flaky")
def _flaky(event: OutboxEvent) -> None:
    if not FAIL_ONCE.get(event.id):
        FAIL_ONCE[event.id] = True
        raise RuntimeError("downstream unavailable")
    SEEN.append(event.payload["n"])


@pytest.fixture(autouse=True)
def _reset() -> None:
    SEEN.clear()
    FAIL_ONCE.clear()


@pytest.mark.django_db(transaction=True)
def test_dispatched_after_commit_only() -> None:
    with transaction.atomic():
        event = outbox_publish(topic="test.happened", payload={"n": "a"})
        assert SEEN == []  # nothing runs inside the transaction
    assert SEEN == ["a"]
    event.refresh_from_db()
    assert event.dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_publishes_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_publish(topic="test.happened", payload={"n": "b"})
        raise RuntimeError("the change failed")
    assert SEEN == []
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_consumers_run_once_per_event() -> None:
    event = outbox_publish(topic="test.happened", payload={"n": "c"})
    assert outbox_dispatch(event.id) is True
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if a crash lost the mark
    assert outbox_dispatch(event.id) is True
    assert SEEN == ["c"]
    assert OutboxDelivery.objects.filter(event=event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_failed_consumer_is_retried_by_the_sweep() -> None:
    event = outbox_publish(topic="test.flaky", payload={"n": "d"})
    event.refresh_from_db()
    assert event.dispatched_at is None and event.attempts == 1
    assert "downstream unavailable" in event.last_error
    assert OutboxDelivery.objects.filter(event=event).count() == 0  # rolled back with the failure
    assert outbox_sweep(older_than_seconds=0) == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert SEEN == ["d"]


@pytest.mark.django_db(transaction=True)
def test_thread_worker_backend_runs_jobs(settings: Any) -> None:
    settings.STAGEDOOR_JOBS_BACKEND = "inprocess"
    outbox_publish(topic="test.happened", payload={"n": "e"})
    jobs.wait_idle()
    assert SEEN == ["e"]


def test_unknown_job_is_refused() -> None:
    with pytest.raises(LookupError, match="unknown job"):
        jobs.enqueue("no.such.job")
