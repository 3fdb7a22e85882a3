"""Sending: `deliver_due` claims what is due (a conditional update on `lease_until`, so two workers never send one
attempt twice), sends up to `concurrency` requests at once from a thread pool (the threads only do HTTP; the
calling thread reads and writes the database, before and after), and records each attempt: delivered, retried
later with exponential backoff and jitter, or given up after `max_attempts`. Every attempt and replay of a delivery
sends the event's id as `webhook-id` and the same body. Failures in a row count against the endpoint, which is
disabled (and its owner told) after `disable_after_failures` of them over at least `disable_after_hours`."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from stagedoor.core.audit import audit_record
from stagedoor.webhooks import addresses, conf, errors, selectors, sender, signing
from stagedoor.webhooks.models import Attempt, Delivery, Endpoint
from stagedoor.webhooks.services.endpoints import endpoint_auto_disable

LEASE_MARGIN = timedelta(seconds=30)
MAX_ATTEMPTS_PER_RUN = 5000  # one job run makes at most this many attempts, then leaves the rest to the next


def backoff_seconds(attempt: int, *, base: float, cap: float, rand: Callable[[], float] = random.random) -> float:
    """The wait after failed attempt number `attempt` (1, 2, …): base·2^(attempt−1), at most `cap`, of which the
    upper half is random ("equal jitter"), so endpoints failing together are not retried together."""
    delay = min(cap, base * (2 ** max(0, attempt - 1)))
    return float(delay / 2 + rand() * delay / 2)


@dataclass(frozen=True)
class Job:
    """What a pool thread needs to send one attempt, read from the database beforehand."""

    delivery_id: str
    endpoint_id: str
    number: int
    url: str
    body: bytes
    msg_id: str
    secrets: tuple[str, ...]
    networks: tuple[Any, ...]
    timeout_s: float


def send(job: Job) -> sender.Outcome:
    """One attempt (no database): check the address again, sign with the attempt's time, POST."""
    started = time.monotonic()
    try:
        target = addresses.check(job.url, job.networks)
    except addresses.AddressProblem as problem:
        return sender.Outcome(
            "refused" if problem.kind == "private" else "connection",
            error=str(problem)[: sender.ERROR_MAX],
            latency_ms=int((time.monotonic() - started) * 1000),
        )
    headers = signing.headers(job.msg_id, int(time.time()), job.body, job.secrets)
    return sender.post(target, job.body, headers, timeout_s=job.timeout_s)


def _claim(delivery_id: str, *, now: datetime, lease: timedelta, manual: bool) -> Job | None:
    """Take the delivery for one attempt, or None if someone else holds it (or it is no longer due)."""
    cfg = conf.current()
    delivery = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.endpoint.status != Endpoint.Status.ACTIVE:
        return None
    claim = Delivery.objects.filter(pk=delivery_id, attempts=delivery.attempts).exclude(lease_until__gt=now)
    if not manual:
        claim = claim.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    if claim.update(lease_until=now + lease, updated_at=now) != 1:
        return None
    endpoint = delivery.endpoint
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        secrets.append(endpoint.previous_secret)
    return Job(
        delivery_id=delivery.pk,
        endpoint_id=delivery.endpoint_id,
        number=delivery.attempts + 1,
        url=endpoint.url,
        body=delivery.event.body.encode(),
        msg_id=delivery.event_id,
        secrets=tuple(secrets),
        networks=cfg.allowed_networks,
        timeout_s=cfg.timeout_s,
    )


def _record(job: Job, outcome: sender.Outcome, *, started_at: datetime, now: datetime, manual: bool) -> Attempt | None:
    """Write the attempt and what follows from it; None if another worker recorded this attempt already."""
    cfg = conf.current()
    disable_check = False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=job.delivery_id).first()
        if delivery is None or delivery.attempts != job.number - 1:
            return None
        attempt = Attempt.objects.create(
            delivery=delivery,
            number=job.number,
            manual=manual,
            started_at=started_at,
            latency_ms=outcome.latency_ms,
            outcome=outcome.outcome,
            status_code=outcome.status_code,
            response_body=outcome.response_body,
            error=outcome.error[: sender.ERROR_MAX],
        )
        delivery.attempts = job.number
        delivery.lease_until = None
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error[:300]
        if outcome.ok:
            delivery.status = Delivery.Status.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            Endpoint.objects.filter(pk=delivery.endpoint_id).exclude(consecutive_failures=0).update(
                consecutive_failures=0, failing_since=None
            )
        elif not manual:
            automatic = job.number - Attempt.objects.filter(delivery=delivery, manual=True).count()
            if automatic >= cfg.max_attempts:
                delivery.status = Delivery.Status.FAILED
                delivery.next_attempt_at = None
            else:
                wait = backoff_seconds(automatic, base=cfg.backoff_base_s, cap=cfg.backoff_max_s)
                delivery.next_attempt_at = now + timedelta(seconds=wait)
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(
                consecutive_failures=F("consecutive_failures") + 1, failing_since=Coalesce("failing_since", now)
            )
            disable_check = True
        delivery.save()
    if disable_check:
        endpoint_auto_disable(endpoint_id=delivery.endpoint_id, now=now)
    return attempt


def deliver_due(*, now: datetime | None = None, max_attempts: int = MAX_ATTEMPTS_PER_RUN) -> int:
    """Send everything due until nothing is (or `max_attempts` were made). Returns how many attempts were made.

    A pool of `concurrency` threads sends; as each request ends, its result is recorded and the freed worker takes
    the next due delivery — no pass waits for its slowest request, and no endpoint has more than `per_endpoint`
    requests in flight, so a slow endpoint holds at most that many workers (each for at most the timeout) while the
    rest keep flowing. `now` fixes the clock (tests move it forward to reach a retry's time)."""
    cfg = conf.current()
    lease = timedelta(seconds=cfg.timeout_s) + LEASE_MARGIN
    made = 0
    in_flight: dict[Future[sender.Outcome], tuple[Job, datetime]] = {}
    busy: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=cfg.concurrency, thread_name_prefix="webhooks") as pool:
        while True:
            room = min(cfg.concurrency - len(in_flight), max_attempts - made - len(in_flight))
            if room > 0:
                at = now or timezone.now()
                for delivery_id, _endpoint_id in selectors.due_deliveries(
                    now=at, limit=room, per_endpoint=busy, cap=cfg.per_endpoint
                ):
                    job = _claim(delivery_id, now=at, lease=lease, manual=False)
                    if job is not None:
                        busy[job.endpoint_id] = busy.get(job.endpoint_id, 0) + 1
                        in_flight[pool.submit(send, job)] = (job, timezone.now())
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                job, started_at = in_flight.pop(future)
                busy[job.endpoint_id] -= 1
                if _record(job, future.result(), started_at=started_at, now=now or timezone.now(), manual=False):
                    made += 1
    return made


def delivery_replay(*, actor: Any, delivery_id: str, ip: str = "") -> Attempt:
    """Send a delivery again now (a new attempt of the same delivery: same `webhook-id`, same body), whatever
    became of it. Audited. Refused while the endpoint is disabled or while the delivery is being sent."""
    delivery = selectors.access_delivery(actor, delivery_id)
    if delivery.endpoint.status != Endpoint.Status.ACTIVE:
        raise errors.EndpointDisabled()
    cfg = conf.current()
    now = timezone.now()
    job = _claim(delivery.pk, now=now, lease=timedelta(seconds=cfg.timeout_s) + LEASE_MARGIN, manual=True)
    if job is None:
        raise errors.ReplayInProgress()
    outcome = send(job)
    attempt = _record(job, outcome, started_at=now, now=timezone.now(), manual=True)
    if attempt is None:
        raise errors.ReplayInProgress()
    audit_record(
        actor=actor,
        action="webhooks.delivery_replayed",
        target=delivery,
        ip=ip,
        data={"endpoint_id": delivery.endpoint_id, "attempt": attempt.number, "outcome": attempt.outcome},
    )
    return attempt
