"""Server-to-server postbacks to an affiliate's tracker: queued with the change that caused them, signed at each try
(HMAC-SHA256, `signing.py`), retried with exponential back-off by a job, every try in the delivery log.

A try is claimed with one conditional UPDATE (status pending, due, attempts unchanged), so two workers never send
the same try; the HTTP call happens outside any transaction. The body carries the postback's `id`: a tracker that
got a try whose answer we lost sees the same id again and can drop it.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from stagedoor.affiliates import conf, selectors, signing
from stagedoor.affiliates.models import Affiliate, Postback, PostbackAttempt
from stagedoor.core import jobs

log = logging.getLogger("stagedoor.affiliates.postbacks")
USER_AGENT = "Stagedoor-Postback/1"


def postback_queue(*, affiliate: Affiliate, event: str, key: str, data: dict[str, Any]) -> Postback | None:
    """Queue one postback (inside the caller's transaction; sent after commit). None when the affiliate has no
    postback URL, or this event was already queued (`key` is unique)."""
    if not affiliate.postback_url or not affiliate.postback_secret:
        return None
    event_key = f"{event}:{key}"[:120]
    if Postback.objects.filter(event_key=event_key).exists():
        return None
    postback = Postback(affiliate=affiliate, event=event, event_key=event_key, url=affiliate.postback_url)
    body = {"id": postback.pk, "event": event, "affiliate_id": affiliate.pk, "created_at": timezone.now().isoformat()}
    body.update(data)
    postback.body = json.dumps(body, sort_keys=True, separators=(",", ":"))
    try:
        with transaction.atomic():
            postback.save(force_insert=True)
    except IntegrityError:
        return None
    transaction.on_commit(lambda: jobs.enqueue("affiliates.postback_deliver", postback.pk))
    return postback


def backoff_seconds(attempt: int) -> int:
    """Wait after failed try number `attempt` (1-based): base × 2^(attempt-1)."""
    return int(conf.config().postback_backoff_seconds * (2 ** max(0, attempt - 1)))


def postback_deliver(*, postback_id: str, now: datetime | None = None) -> str:
    """Make the next try of a due postback. Returns its status afterwards ("skipped" when it was not ours to try)."""
    now = now or timezone.now()
    cfg = conf.config()
    row = Postback.objects.filter(pk=postback_id).select_related("affiliate").first()
    if row is None or row.status != Postback.Status.PENDING or row.next_attempt_at > now:
        return "skipped"
    attempt = row.attempts + 1
    lease = now + timedelta(seconds=cfg.postback_timeout_seconds * 3)
    claimed = Postback.objects.filter(
        pk=row.pk, status=Postback.Status.PENDING, attempts=row.attempts, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=lease)
    if claimed != 1:
        return "skipped"
    body = row.body.encode()
    secret = row.affiliate.postback_secret
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.sign(secret, body, timestamp=int(time.time())),
    }
    status_code: int | None = None
    error = ""
    started = time.perf_counter()
    try:
        response = httpx.post(row.url, content=body, headers=headers, timeout=cfg.postback_timeout_seconds)
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    duration_ms = int((time.perf_counter() - started) * 1000)
    done_at = timezone.now()
    with transaction.atomic():
        PostbackAttempt.objects.create(
            postback_id=row.pk,
            number=attempt,
            at=done_at,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
        )
        if not error:
            fields: dict[str, Any] = {"status": Postback.Status.DELIVERED, "delivered_at": done_at, "last_error": ""}
        elif attempt >= cfg.postback_attempts:
            fields = {"status": Postback.Status.FAILED, "last_error": error}
        else:
            fields = {"next_attempt_at": done_at + timedelta(seconds=backoff_seconds(attempt)), "last_error": error}
        Postback.objects.filter(pk=row.pk).update(last_status_code=status_code, **fields)
    if error:
        log.info("postback try failed", extra={"postback": row.pk, "attempt": attempt, "error": error})
    return str(fields.get("status", Postback.Status.PENDING))


def postbacks_run_due(*, now: datetime | None = None, limit: int = 100) -> int:
    """Try every postback that is due (the retry job). Returns how many were tried."""
    now = now or timezone.now()
    tried = 0
    for postback_id in selectors.postbacks_due(now=now, limit=limit):
        if postback_deliver(postback_id=postback_id, now=now) != "skipped":
            tried += 1
    return tried
