"""Transactional outbox: events are written with the change, dispatched after commit.

A consumer is registered per topic with `@consumer("tip.sent", name="chat.announce_tip")`.
Each (event, consumer) pair is delivered at most once: the delivery row is written in the
same transaction as the consumer's own database work. If the process dies between commit
and dispatch, `outbox_sweep` (run by the worker / beat) delivers what was left.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.core import jobs
from stagedoor.core.metrics import OUTBOX_DISPATCHED
from stagedoor.core.models import OutboxDelivery, OutboxEvent

log = logging.getLogger("stagedoor.outbox")

ConsumerFn = Callable[[OutboxEvent], None]
_CONSUMERS: dict[str, list[tuple[str, ConsumerFn]]] = defaultdict(list)


def consumer(topic: str, *, name: str) -> Callable[[ConsumerFn], ConsumerFn]:
    def register(fn: ConsumerFn) -> ConsumerFn:
        entries = _CONSUMERS[topic]
        if any(existing == name for existing, _ in entries):
            return fn
        entries.append((name, fn))
        return fn

    return register


def consumers_for(topic: str) -> list[tuple[str, ConsumerFn]]:
    return list(_CONSUMERS.get(topic, ()))


def outbox_publish(*, topic: str, payload: dict[str, Any]) -> OutboxEvent:
    """Write an event in the current transaction; it is dispatched once that commits."""
    event = OutboxEvent.objects.create(topic=topic, payload=payload)
    transaction.on_commit(lambda: jobs.enqueue("outbox.dispatch", event.id))
    return event


@jobs.job("outbox.dispatch")
def outbox_dispatch(event_id: str) -> bool:
    """Deliver one event to each of its consumers not yet served. True when fully delivered."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.dispatched_at is not None:
        return True
    done = set(OutboxDelivery.objects.filter(event=event).values_list("consumer", flat=True))
    failed = False
    for name, fn in consumers_for(event.topic):
        if name in done:
            continue
        try:
            with transaction.atomic():
                OutboxDelivery.objects.create(event=event, consumer=name)
                fn(event)
        except IntegrityError:
            # Another worker delivered it concurrently; that is the idempotency guard.
            OUTBOX_DISPATCHED.labels(event.topic, "duplicate").inc()
            continue
        except Exception as exc:
            failed = True
            OUTBOX_DISPATCHED.labels(event.topic, "error").inc()
            OutboxEvent.objects.filter(pk=event.pk).update(
                attempts=event.attempts + 1, last_error=f"{name}: {type(exc).__name__}: {exc}"[:2000]
            )
            log.exception("outbox consumer failed", extra={"event": event.id, "consumer": name})
            continue
        OUTBOX_DISPATCHED.labels(event.topic, "ok").inc()
    if not failed:
        OutboxEvent.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(dispatched_at=timezone.now())
    return not failed


@jobs.job("outbox.sweep")
def outbox_sweep(*, older_than_seconds: float = 5.0, limit: int = 500) -> int:
    """Dispatch events whose after-commit dispatch never ran (crash) or failed. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=cutoff, attempts__lt=20)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    for event_id in pending:
        outbox_dispatch(event_id)
    return len(pending)
