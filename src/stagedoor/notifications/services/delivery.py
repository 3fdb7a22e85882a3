"""Delivery of queued notifications, a batch per job: web push to each of the person's devices and/or an e-mail,
per their preferences; held until their quiet hours end; at most once (a batch claims its rows with one
conditional UPDATE, so two workers never send the same notification)."""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.notifications import conf
from stagedoor.notifications.models import LiveAlert, Notification, Preference, PushSubscription
from stagedoor.notifications.push import Outcome, PushSender, quiet_until
from stagedoor.notifications.selectors import due_deferred_ids, stale_queued_ids
from stagedoor.notifications.services.alerts import vapid_key_ensure

log = logging.getLogger("stagedoor.notifications")

PUSH_THREADS = 8  # pushes are network-bound: a batch talks to the push services over a few connections at once
S = Notification.Status


@dataclass
class Tally:
    sent: int = 0
    deferred: int = 0
    skipped: int = 0
    retry: int = 0
    failed: int = 0
    expired: int = 0
    cancelled: int = 0
    pushes: int = 0
    emails: int = 0
    gone: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _claim(where: str, params: list[Any]) -> list[int]:
    table = connection.ops.quote_name(Notification._meta.db_table)
    sql = (
        f"UPDATE {table} SET status = %s, attempts = attempts + 1, claimed_at = %s "  # noqa: S608 - quoted name
        f"WHERE {where} RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [S.SENDING, timezone.now(), *params])
        return [int(row[0]) for row in cursor.fetchall()]


def notifications_deliver_range(*, alert_id: str, first_id: int, last_id: int, now: datetime | None = None) -> Tally:
    """Deliver the alert's queued notifications with ids in [first_id, last_id] (one fan-out batch)."""
    ids = _claim("alert_id = %s AND id >= %s AND id <= %s AND status = %s", [alert_id, first_id, last_id, S.QUEUED])
    return _deliver(ids, now=now or timezone.now())


def notifications_deliver_ids(*, ids: list[int], claimed_before: datetime, now: datetime | None = None) -> Tally:
    """Deliver these notifications if still queued (or claimed by a batch that died before `claimed_before`)."""
    if not ids:
        return Tally()
    marks = ", ".join(["%s"] * len(ids))
    claimed = _claim(
        f"id IN ({marks}) AND (status = %s OR (status = %s AND claimed_at <= %s))",
        [*ids, S.QUEUED, S.SENDING, claimed_before],
    )
    return _deliver(claimed, now=now or timezone.now())


@dataclass
class _Row:
    n: Notification
    status: str = S.SKIPPED
    pushed: int = 0
    emailed: bool = False
    deliver_after: datetime | None = None
    retry: bool = False
    results: list[tuple[str, Outcome]] = field(default_factory=list)


def _payload(alert: LiveAlert) -> bytes:
    room = alert.room
    name = room.performer.shown_name
    return json.dumps(
        {
            "title": f"{name} is live",
            "body": room.title or f"{name} just went live on Stagedoor. Come and watch!",
            "url": room.url,
            "tag": f"live-{room.id}",
            "alert": alert.id,
        },
        separators=(",", ":"),
    ).encode()


def _email(alert: LiveAlert, user: User) -> EmailMessage:
    room = alert.room
    name = room.performer.shown_name
    base = conf.base_url()
    body = (
        f"Hello {user.shown_name},\n\n{name} is live now"
        + (f": {room.title}" if room.title else "")
        + f".\n\nWatch: {base}{room.url}\n\n"
        f"You get this because you follow {name}. Change how and when you hear about shows, or turn these e-mails "
        f"off, in your account: {base}/account#notifications\n"
    )
    return EmailMessage(subject=f"{name} is live on Stagedoor", body=body, to=[user.email])


def _deliver(ids: list[int], *, now: datetime) -> Tally:
    tally = Tally()
    if not ids:
        return tally
    rows = [
        _Row(n)
        for n in Notification.objects.filter(pk__in=ids)
        .select_related("user")
        .only(
            "id",
            "alert_id",
            "user_id",
            "attempts",
            "user__email",
            "user__display_name",
            "user__login",
            "user__is_active",
        )
    ]
    alerts = {
        a.id: a
        for a in LiveAlert.objects.select_related("room", "room__performer").filter(pk__in={r.n.alert_id for r in rows})
    }
    user_ids = [r.n.user_id for r in rows]
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    devices: dict[str, list[PushSubscription]] = defaultdict(list)
    for d in PushSubscription.objects.filter(user_id__in=user_ids):
        devices[d.user_id].append(d)

    pushes: list[tuple[_Row, PushSubscription, bytes]] = []
    mails: list[tuple[_Row, EmailMessage]] = []
    for row in rows:
        alert = alerts[row.n.alert_id]
        pref = prefs.get(row.n.user_id) or Preference(user_id=row.n.user_id)
        if alert.status == LiveAlert.Status.STOPPED:
            row.status = S.CANCELLED
            continue
        if alert.ended_at is not None or not row.n.user.is_active:
            row.status = S.EXPIRED
            continue
        held = quiet_until(now=now, zone=pref.timezone, start=pref.quiet_start, end=pref.quiet_end)
        if held is not None:
            row.status, row.deliver_after = S.DEFERRED, held
            continue
        if pref.push_enabled:
            payload = _payload(alert)
            pushes.extend((row, d, payload) for d in devices.get(row.n.user_id, []))
        if pref.email_enabled and row.n.user.email:
            mails.append((row, _email(alert, row.n.user)))

    if pushes:
        _push_all(pushes)
    if mails:
        _mail_all(mails)

    gone: list[str] = []
    ok: list[str] = []
    rejected: list[str] = []
    for row in rows:
        for device_id, outcome in row.results:
            if outcome is Outcome.SENT:
                row.pushed += 1
                ok.append(device_id)
            elif outcome is Outcome.GONE:
                gone.append(device_id)
            elif outcome is Outcome.REJECTED:
                rejected.append(device_id)
            else:
                row.retry = True
        if row.status in (S.CANCELLED, S.EXPIRED, S.DEFERRED):
            pass
        elif row.pushed or row.emailed:
            row.status = S.SENT
        elif row.retry and row.n.attempts < conf.MAX_ATTEMPTS:
            row.status = S.QUEUED
        elif row.retry or any(o is Outcome.REJECTED for _, o in row.results):
            row.status = S.FAILED
        else:
            row.status = S.SKIPPED  # no device left, e-mail off: nothing to send

    _write(rows, now=now)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if ok:
        PushSubscription.objects.filter(pk__in=ok).update(last_success_at=now, failures=0)
    if rejected:
        PushSubscription.objects.filter(pk__in=rejected).update(failures=F("failures") + 1)

    for row in rows:
        match row.status:
            case S.SENT:
                tally.sent += 1
            case S.DEFERRED:
                tally.deferred += 1
            case S.QUEUED:
                tally.retry += 1
            case S.FAILED:
                tally.failed += 1
            case S.EXPIRED:
                tally.expired += 1
            case S.CANCELLED:
                tally.cancelled += 1
            case _:
                tally.skipped += 1
        tally.pushes += row.pushed
        tally.emails += int(row.emailed)
    tally.gone = len(gone)
    return tally


def _write(rows: Iterable[_Row], *, now: datetime) -> None:
    """The batch's outcomes, one UPDATE per distinct outcome (a batch has a handful: sent, held until…, skipped)."""
    groups: dict[tuple[str, int, bool, datetime | None], list[int]] = defaultdict(list)
    for row in rows:
        groups[(row.status, row.pushed, row.emailed, row.deliver_after)].append(row.n.pk)
    for (status, pushed, emailed, deliver_after), ids in groups.items():
        Notification.objects.filter(pk__in=ids).update(
            status=status,
            pushed=pushed,
            emailed=emailed,
            deliver_after=deliver_after,
            sent_at=now if status == S.SENT else None,
        )


_local = threading.local()


def _push_all(pushes: list[tuple[_Row, PushSubscription, bytes]]) -> None:
    key = vapid_key_ensure()
    pem, subject = key.private_pem, conf.vapid_subject()
    senders: list[PushSender] = []
    lock = threading.Lock()

    def sender() -> PushSender:
        found: PushSender | None = getattr(_local, "sender", None)
        if found is None or found.subject != subject or getattr(_local, "pem", None) != pem:
            found = PushSender(private_pem=pem, subject=subject)
            _local.sender, _local.pem = found, pem
            with lock:
                senders.append(found)
        return found

    def one(item: tuple[_Row, PushSubscription, bytes]) -> tuple[_Row, str, Outcome]:
        row, device, payload = item
        return row, device.id, sender().send(endpoint=device.endpoint, keys=device.keys, payload=payload)

    if len(pushes) == 1:
        results = [one(pushes[0])]
    else:
        with ThreadPoolExecutor(max_workers=min(PUSH_THREADS, len(pushes)), thread_name_prefix="push") as pool:
            results = list(pool.map(one, pushes))
    for row, device_id, outcome in results:
        row.results.append((device_id, outcome))
    for s in senders:
        s.close()
    if getattr(_local, "sender", None) in senders:
        _local.sender = None


def _mail_all(mails: list[tuple[_Row, EmailMessage]]) -> None:
    """Send the batch's e-mails over one connection to the mail server."""
    mailer = mailers.default
    try:
        mailer.open()
        for row, message in mails:
            try:
                sent = mailer.send_messages([message])
            except OSError:
                log.warning("go-live e-mail failed", extra={"notification": row.n.pk})
                row.retry = True
                continue
            row.emailed = bool(sent)
    finally:
        mailer.close()


def notifications_sweep(*, now: datetime | None = None) -> Tally:
    """Release notifications whose quiet hours are over (still live: sent; show over: expired) and retry what no
    batch delivered. Run every 30 s (embedded service / Celery beat)."""
    now = now or timezone.now()
    claimed_before = now - timedelta(minutes=conf.STALE_CLAIM_MINUTES)
    tally = Tally()
    due = due_deferred_ids(now=now)
    if due:
        Notification.objects.filter(pk__in=due, status=S.DEFERRED).update(status=S.QUEUED, deliver_after=None)
        tally.add(notifications_deliver_ids(ids=due, claimed_before=claimed_before, now=now))
    stale = stale_queued_ids(queued_before=now - timedelta(seconds=60), claimed_before=claimed_before)
    if stale:
        tally.add(notifications_deliver_ids(ids=stale, claimed_before=claimed_before, now=now))
    return tally
