"""Live alerts: one per broadcast, and the set-based fan-out that queues a notification for every follower.

The fan-out is one `INSERT … SELECT` from the room's follows (no row per follower in Python), guarded by the unique
(alert, user) constraint with `ON CONFLICT DO NOTHING`: a replayed event or a second worker queues nobody twice.
Delivery then runs in jobs of `conf.BATCH_SIZE` notifications (services.delivery)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core import jobs
from stagedoor.core.audit import audit_record
from stagedoor.notifications import conf, errors
from stagedoor.notifications.models import LiveAlert, Notification, Preference, PushSubscription, VapidKey
from stagedoor.notifications.push import vapid_generate
from stagedoor.notifications.selectors import last_alert_of_room, open_alert_of_room, vapid_key
from stagedoor.rooms.models import Follow, Room


def vapid_key_ensure() -> VapidKey:
    """The site's VAPID key, made (once, whichever process gets there first) on first use."""
    found = vapid_key()
    if found is not None:
        return found
    pair = vapid_generate()
    try:
        with transaction.atomic():
            return VapidKey.objects.create(name="default", private_pem=pair.private_pem, public_key=pair.public_key)
    except IntegrityError:
        made = vapid_key()
        assert made is not None
        return made


@dataclass(frozen=True)
class FanOut:
    alert: LiveAlert | None  # None: the room came back from a short drop; the broadcast's alert stands
    queued: int
    batches: list[tuple[int, int]]  # (first id, last id) of each delivery job


def _fanout_sql() -> str:
    q = connection.ops.quote_name
    n, f, u, p, s = (
        q(Notification._meta.db_table),
        q(Follow._meta.db_table),
        q(User._meta.db_table),
        q(Preference._meta.db_table),
        q(PushSubscription._meta.db_table),
    )
    # Followers who would receive something: e-mail on, or push on (the default) with at least one device.
    return (
        f"INSERT INTO {n} (alert_id, user_id, status, attempts, pushed, emailed, created_at) "  # noqa: S608 - quoted names
        f"SELECT %s, fo.user_id, %s, 0, 0, %s, %s FROM {f} fo "
        f"JOIN {u} us ON us.id = fo.user_id "
        f"LEFT JOIN {p} pr ON pr.user_id = fo.user_id "
        f"WHERE fo.room_id = %s AND fo.user_id <> %s AND us.is_active = %s "
        f"AND (COALESCE(pr.email_enabled, %s) = %s "
        f"OR (COALESCE(pr.push_enabled, %s) = %s AND EXISTS (SELECT 1 FROM {s} su WHERE su.user_id = fo.user_id))) "
        f"ON CONFLICT (alert_id, user_id) DO NOTHING"
    )


def _batches(alert_id: str) -> list[tuple[int, int]]:
    ids = Notification.objects.filter(alert_id=alert_id, status=Notification.Status.QUEUED).values_list("id", flat=True)
    out: list[tuple[int, int]] = []
    chunk: list[int] = []
    for pk in ids.order_by("id").iterator(chunk_size=5000):
        chunk.append(pk)
        if len(chunk) == conf.BATCH_SIZE:
            out.append((chunk[0], chunk[-1]))
            chunk = []
    if chunk:
        out.append((chunk[0], chunk[-1]))
    return out


def _enqueue(alert_id: str, batches: list[tuple[int, int]]) -> None:
    for lo, hi in batches:
        jobs.enqueue("notifications.deliver", alert_id, lo, hi)


def alert_open(*, room_id: str, event_id: str, at: datetime) -> FanOut:
    """The room went on air (the outbox event `event_id`, at `at`): make its alert and queue every follower.

    Idempotent: the same event again finds its alert and queues nobody new. A room back within
    `conf.DROP_GRACE_MINUTES` of going offline continues its last broadcast: no second alert."""
    with transaction.atomic():
        room = Room.objects.filter(pk=room_id).only("id", "performer_id").first()
        if room is None:
            return FanOut(alert=None, queued=0, batches=[])
        existing = LiveAlert.objects.filter(event_id=event_id).first()
        if existing is None:
            last = last_alert_of_room(room_id)
            if (
                last is not None
                and last.ended_at is not None
                and at - last.ended_at < timedelta(minutes=conf.DROP_GRACE_MINUTES)
            ):
                LiveAlert.objects.filter(pk=last.pk).update(ended_at=None)
                return FanOut(alert=None, queued=0, batches=[])
            try:
                with transaction.atomic():
                    alert = LiveAlert.objects.create(room_id=room_id, event_id=event_id, started_at=at)
            except IntegrityError:  # another worker made it at the same moment (it waited for that one's commit)
                alert = LiveAlert.objects.get(event_id=event_id)
        else:
            alert = existing
        with connection.cursor() as cursor:
            cursor.execute(
                _fanout_sql(),
                [
                    alert.id,
                    Notification.Status.QUEUED,
                    False,
                    timezone.now(),
                    room_id,
                    room.performer_id,
                    True,
                    False,
                    True,
                    True,
                    True,
                ],
            )
            queued = max(cursor.rowcount, 0)
        total = Notification.objects.filter(alert_id=alert.id).count()
        LiveAlert.objects.filter(pk=alert.pk).update(queued=total, queued_at=timezone.now())
        alert.queued = total
        batches = _batches(alert.id)
        alert_id = alert.id
        transaction.on_commit(lambda: _enqueue(alert_id, batches))
    return FanOut(alert=alert, queued=queued, batches=batches)


def alert_close(*, room_id: str, at: datetime) -> None:
    """The room went offline: its alert's broadcast is over (notifications still held for quiet hours expire)."""
    alert = open_alert_of_room(room_id)
    if alert is not None:
        LiveAlert.objects.filter(pk=alert.pk, ended_at__isnull=True).update(ended_at=at)


def alert_staff_stop(*, actor: Any, alert_id: str, reason: str, ip: str = "") -> int:
    """Staff stop an alert (a room that went live against the rules): what is not sent yet is never sent. Audited.
    Returns how many notifications were stopped."""
    with transaction.atomic():
        alert = LiveAlert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise errors.AlertNotFound()
        stopped = Notification.objects.filter(
            alert=alert,
            status__in=[Notification.Status.QUEUED, Notification.Status.DEFERRED],  # a batch in flight finishes
        ).update(status=Notification.Status.CANCELLED)
        alert.status = LiveAlert.Status.STOPPED
        alert.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="notifications.alert_stop",
            target=alert,
            ip=ip,
            data={"room_id": alert.room_id, "stopped": stopped, "reason": reason[:500]},
        )
    return stopped
