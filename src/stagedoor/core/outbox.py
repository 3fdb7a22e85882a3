"""Transactional outbox: events are written with the change, dispatched after commit.

Each app declares the topics it publishes, and their payload types, in its `events.py`:

    TIP_SENT: Topic[TipSent] = Topic("tip.sent")

A handler in another app imports the topic and the type, never a string:

    @outbox_handler(TIP_SENT, name="chat.announce_tip")
    def announce_tip(event: OutboxEvent, payload: TipSent) -> None: ...

Each (event, handler) pair is delivered at most once: the delivery row is written in the
same transaction as the handler's own database work. If the process dies between commit
and dispatch, `outbox_sweep` (run by the worker / beat) delivers what was left.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.core import jobs
from stagedoor.core.metrics import OUTBOX_DISPATCHED
from stagedoor.core.models import OutboxDelivery, OutboxEvent

log = logging.getLogger("stagedoor.outbox")


@dataclass(frozen=True)
class Topic[PayloadT: Mapping[str, object]]:
    """An outbox topic and, as its type parameter, the `TypedDict` its payload is."""

    name: str

    def payload_of(self, event: OutboxEvent) -> PayloadT:
        if event.topic != self.name:
            raise ValueError(f"event {event.id} is {event.topic!r}, not {self.name!r}")
        return cast(PayloadT, event.payload)


HandlerFn = Callable[[OutboxEvent, Any], None]
_HANDLERS: dict[str, list[tuple[str, HandlerFn]]] = defaultdict(list)


def outbox_handler[PayloadT: Mapping[str, object]](
    topic: Topic[PayloadT], *, name: str
) -> Callable[[Callable[[OutboxEvent, PayloadT], None]], Callable[[OutboxEvent, PayloadT], None]]:
    """Register `fn(event, payload)` for `topic`; `name` ("app.what") keys its delivery rows."""

    def register(fn: Callable[[OutboxEvent, PayloadT], None]) -> Callable[[OutboxEvent, PayloadT], None]:
        entries = _HANDLERS[topic.name]
        if not any(existing == name for existing, _ in entries):
            entries.append((name, fn))
        return fn

    return register


def handlers_for(topic: str) -> list[tuple[str, HandlerFn]]:
    return list(_HANDLERS.get(topic, ()))


def outbox_publish[PayloadT: Mapping[str, object]](*, topic: Topic[PayloadT], payload: PayloadT) -> OutboxEvent:
    """Write an event in the current transaction; it is dispatched once that commits."""
    event = OutboxEvent.objects.create(topic=topic.name, payload=dict(payload))
    transaction.on_commit(lambda: jobs.enqueue("outbox.dispatch", event.id))
    return event


@jobs.job("outbox.dispatch")
def outbox_dispatch(event_id: str) -> bool:
    """Deliver one event to each of its handlers not yet served. True when fully delivered."""
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.dispatched_at is not None:
        return True
    done = set(OutboxDelivery.objects.filter(event=event).values_list("handler", flat=True))
    failed = False
    for name, fn in handlers_for(event.topic):
        if name in done:
            continue
        try:
            with transaction.atomic():
                OutboxDelivery.objects.create(event=event, handler=name)
                fn(event, event.payload)
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
            log.exception("outbox handler failed", extra={"event": event.id, "handler": name})
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
