from __future__ import annotations

from typing import Any, TypedDict

import pytest
from django.db import transaction

from stagedoor.core import jobs
from stagedoor.core.models import OutboxDelivery, OutboxEvent
from stagedoor.core.outbox import Topic, handlers_for, outbox_dispatch, outbox_handler, outbox_publish, outbox_sweep

SEEN: list[str] = []
FAIL_ONCE: dict[str, bool] = {}


class Happened(TypedDict):
    n: str


HAPPENED: Topic[Happened] = Topic("test.happened")
FLAKY: Topic[Happened] = Topic("test.flaky")


@outbox_handler(HAPPENED, name="tests.record")
def _record(event: OutboxEvent, payload: Happened) -> None:
    SEEN.append(payload["n"])


@outbox_handler(FLAKY, name="tests.flaky")
def _flaky(event: OutboxEvent, payload: Happened) -> None:
    if not FAIL_ONCE.get(event.id):
        FAIL_ONCE[event.id] = True
        raise RuntimeError("downstream unavailable")
    SEEN.append(payload["n"])


@pytest.fixture(autouse=True)
def _reset() -> None:
    SEEN.clear()
    FAIL_ONCE.clear()


@pytest.mark.django_db(transaction=True)
def test_dispatched_after_commit_only() -> None:
    with transaction.atomic():
        event = outbox_publish(topic=HAPPENED, payload={"n": "a"})
        assert SEEN == []  # nothing runs inside the transaction
    assert SEEN == ["a"]
    event.refresh_from_db()
    assert event.dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_publishes_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_publish(topic=HAPPENED, payload={"n": "b"})
        raise RuntimeError("the change failed")
    assert SEEN == []
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_handlers_run_once_per_event() -> None:
    event = outbox_publish(topic=HAPPENED, payload={"n": "c"})
    assert outbox_dispatch(event.id) is True
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if a crash lost the mark
    assert outbox_dispatch(event.id) is True
    assert SEEN == ["c"]
    assert OutboxDelivery.objects.filter(event=event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_failed_handler_is_retried_by_the_sweep() -> None:
    event = outbox_publish(topic=FLAKY, payload={"n": "d"})
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
    outbox_publish(topic=HAPPENED, payload={"n": "e"})
    jobs.wait_idle()
    assert SEEN == ["e"]


def test_unknown_job_is_refused() -> None:
    with pytest.raises(LookupError, match="unknown job"):
        jobs.enqueue("no.such.job")


def test_a_handler_registers_once_per_name() -> None:
    outbox_handler(HAPPENED, name="tests.record")(_record)
    assert [name for name, _ in handlers_for("test.happened")] == ["tests.record"]


def test_topic_payload_of_refuses_another_topic() -> None:
    event = OutboxEvent(id="e1", topic="test.flaky", payload={"n": "x"})
    assert FLAKY.payload_of(event) == {"n": "x"}
    with pytest.raises(ValueError, match=r"not 'test\.happened'"):
        HAPPENED.payload_of(event)
