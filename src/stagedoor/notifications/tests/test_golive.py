"""A room going live tells its followers once, by push (through the fake push service, decrypted there) and/or
e-mail, per their preferences; quiet hours hold it; a gone subscription is removed; staff can stop an alert."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.core.outbox import outbox_dispatch
from stagedoor.notifications import services
from stagedoor.notifications.models import LiveAlert, Notification, PushSubscription
from stagedoor.rooms import services as room_services
from stagedoor.rooms.models import Room

PAYLOAD = {
    "title": "Lumen Vale is live",
    "body": "Late-night synth jam",
    "url": "/r/lumen-vale",
}


def _statuses(alert: LiveAlert) -> dict[str, str]:
    return dict(Notification.objects.filter(alert=alert).values_list("user__login", "status"))


def test_going_live_pushes_and_mails_each_follower_once(
    room: Room, follower: Any, push_service: Any, set_status: Any
) -> None:
    ada, _ = follower("ada")
    bo, _ = follower("bo", email=True)
    follower("cy", push=False)  # follows, no device, e-mail off: nothing to send, no notification made
    dee, _ = follower("dee", push=False, email=True)

    set_status(room, Room.Status.LIVE)

    alert = LiveAlert.objects.get(room=room)
    assert alert.queued == 3
    assert _statuses(alert) == {"ada": "sent", "bo": "sent", "dee": "sent"}
    expected = {**PAYLOAD, "tag": f"live-{room.id}", "alert": alert.id}
    assert push_service.payloads("ada") == [expected]
    assert push_service.payloads("bo") == [expected]
    assert push_service.refused == []
    got = push_service.received[0]
    assert got.claims["aud"] == push_service.origin and got.claims["sub"] == "mailto:no-reply@stagedoor.invalid"
    assert got.headers["ttl"] == "14400" and got.headers["urgency"] == "high"
    assert sorted(m.to[0] for m in mail.outbox) == ["bo@example.test", "dee@example.test"]
    assert mail.outbox[0].subject == "Lumen Vale is live on Stagedoor"
    assert "http://127.0.0.1:8000/r/lumen-vale" in mail.outbox[0].body
    assert dict(Notification.objects.filter(alert=alert).values_list("user__login", "pushed")) == {
        "ada": 1,
        "bo": 1,
        "dee": 0,
    }

    # a drop and reconnect in the same broadcast, and the same event delivered again: nobody is told twice
    set_status(room, Room.Status.RECONNECTING)
    set_status(room, Room.Status.LIVE)
    event = OutboxEvent.objects.filter(topic="room.status_changed", payload__to="live").order_by("created_at").first()
    assert event is not None
    fan = services.alert_open(room_id=room.id, event_id=event.id, at=event.created_at)
    assert fan.queued == 0
    assert LiveAlert.objects.count() == 1 and Notification.objects.count() == 3
    assert len(push_service.received) == 2 and len(mail.outbox) == 2
    assert ada.pk != bo.pk != dee.pk


def test_back_on_air_soon_after_going_offline_is_the_same_broadcast(room: Room, follower: Any) -> None:
    follower("ada")
    start = timezone.now()
    first = services.alert_open(room_id=room.id, event_id="E" * 26, at=start).alert
    assert first is not None
    services.alert_close(room_id=room.id, at=start + timedelta(minutes=30))
    back = services.alert_open(room_id=room.id, event_id="F" * 26, at=start + timedelta(minutes=39))
    assert back.alert is None and back.queued == 0
    first.refresh_from_db()
    assert first.ended_at is None  # the broadcast goes on
    services.alert_close(room_id=room.id, at=start + timedelta(minutes=60))
    later = services.alert_open(room_id=room.id, event_id="G" * 26, at=start + timedelta(minutes=71))
    assert later.alert is not None and later.queued == 1
    assert LiveAlert.objects.count() == 2


def test_a_gone_subscription_is_removed_and_a_failing_one_retried(
    room: Room, follower: Any, push_service: Any, set_status: Any
) -> None:
    follower("ada")
    bo, _ = follower("bo")
    push_service.answer("ada", 410)
    push_service.answer("bo", 503)

    set_status(room, Room.Status.LIVE)

    alert = LiveAlert.objects.get(room=room)
    assert _statuses(alert) == {"ada": "skipped", "bo": "queued"}
    assert list(PushSubscription.objects.values_list("user__login", flat=True)) == ["bo"]
    # the sweep retries what is left queued; the push service is back
    del push_service.answers["bo"]
    tally = services.notifications_sweep(now=timezone.now() + timedelta(minutes=2))
    assert (tally.sent, tally.pushes) == (1, 1)
    assert _statuses(alert) == {"ada": "skipped", "bo": "sent"}
    n = Notification.objects.get(alert=alert, user=bo)
    assert (n.attempts, n.pushed) == (2, 1)
    assert PushSubscription.objects.get(user=bo).last_success_at is not None


def test_retries_stop_after_three_attempts(room: Room, follower: Any, push_service: Any, set_status: Any) -> None:
    bo, _ = follower("bo")
    push_service.answer("bo", 500)
    set_status(room, Room.Status.LIVE)
    now = timezone.now()
    services.notifications_sweep(now=now + timedelta(minutes=2))
    services.notifications_sweep(now=now + timedelta(minutes=4))
    n = Notification.objects.get(user=bo)
    assert (n.status, n.attempts, n.pushed) == ("failed", 3, 0)
    assert services.notifications_sweep(now=now + timedelta(minutes=6)).failed == 0
    assert push_service.received == []


def _quiet_around(now: datetime, zone: str) -> tuple[time, time]:
    local = now.astimezone(ZoneInfo(zone))
    return (local - timedelta(hours=1)).time().replace(second=0, microsecond=0), (
        local + timedelta(hours=2)
    ).time().replace(second=0, microsecond=0)


def test_quiet_hours_hold_the_notification_until_they_end(
    room: Room, follower: Any, push_service: Any, set_status: Any
) -> None:
    ada, _ = follower("ada", tz="Asia/Tokyo")
    now = timezone.now()
    start, end = _quiet_around(now, "Asia/Tokyo")
    services.preference_set(
        user=ada, push_enabled=True, email_enabled=False, quiet_start=start, quiet_end=end, timezone="Asia/Tokyo"
    )

    set_status(room, Room.Status.LIVE)

    n = Notification.objects.get(user=ada)
    assert n.status == "deferred" and push_service.received == []
    assert n.deliver_after is not None
    local_end = n.deliver_after.astimezone(ZoneInfo("Asia/Tokyo"))
    assert local_end.time() == end and timedelta(hours=1) < n.deliver_after - now <= timedelta(hours=2)
    # not yet
    assert services.notifications_sweep(now=n.deliver_after - timedelta(minutes=1)).sent == 0
    assert Notification.objects.get(user=ada).status == "deferred"
    # the quiet hours are over and the show is still on
    tally = services.notifications_sweep(now=n.deliver_after + timedelta(seconds=1))
    assert tally.sent == 1
    assert [p["title"] for p in push_service.payloads("ada")] == ["Lumen Vale is live"]


def test_held_notifications_expire_when_the_show_ends_first(
    room: Room, follower: Any, push_service: Any, set_status: Any
) -> None:
    ada, _ = follower("ada", tz="America/New_York")
    start, end = _quiet_around(timezone.now(), "America/New_York")
    services.preference_set(
        user=ada, push_enabled=True, email_enabled=True, quiet_start=start, quiet_end=end, timezone="America/New_York"
    )
    set_status(room, Room.Status.LIVE)
    set_status(room, Room.Status.OFFLINE)
    n = Notification.objects.get(user=ada)
    assert n.deliver_after is not None
    tally = services.notifications_sweep(now=n.deliver_after + timedelta(seconds=1))
    assert (tally.sent, tally.expired) == (0, 1)
    assert Notification.objects.get(user=ada).status == "expired"
    assert push_service.received == [] and mail.outbox == []


def test_opted_out_inactive_and_push_off_followers_get_nothing(
    room: Room, follower: Any, make_user: Any, push_service: Any, set_status: Any
) -> None:
    ada, _ = follower("ada")
    services.preference_set(
        user=ada, push_enabled=False, email_enabled=False, quiet_start=None, quiet_end=None, timezone="UTC"
    )
    gone, _ = follower("gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    room_services.room_follow(user=room.performer, room=room)  # following oneself is no reason to be told
    make_user(login="stranger")  # not a follower
    set_status(room, Room.Status.LIVE)
    alert = LiveAlert.objects.get(room=room)
    assert alert.queued == 0 and Notification.objects.count() == 0
    assert push_service.received == [] and mail.outbox == []


def test_staff_stop_an_alert_nothing_more_is_sent(
    room: Room, follower: Any, make_user: Any, push_service: Any, set_status: Any
) -> None:
    ada, _ = follower("ada", tz="Europe/Berlin")
    start, end = _quiet_around(timezone.now(), "Europe/Berlin")
    services.preference_set(
        user=ada, push_enabled=True, email_enabled=False, quiet_start=start, quiet_end=end, timezone="Europe/Berlin"
    )
    follower("bo")
    set_status(room, Room.Status.LIVE)
    alert = LiveAlert.objects.get(room=room)
    assert _statuses(alert) == {"ada": "deferred", "bo": "sent"}
    mod = make_user("moderator")

    assert services.alert_staff_stop(actor=mod, alert_id=alert.id, reason="went live during a suspension") == 1

    assert _statuses(alert) == {"ada": "cancelled", "bo": "sent"}
    alert.refresh_from_db()
    assert alert.status == "stopped"
    entry = AuditEntry.objects.get(action="notifications.alert_stop")
    assert entry.actor_id == mod.pk and entry.data == {
        "room_id": room.id,
        "stopped": 1,
        "reason": "went live during a suspension",
    }
    n = Notification.objects.get(user=ada)
    assert services.notifications_sweep(now=timezone.now() + timedelta(days=1)).sent == 0
    assert len(push_service.payloads("ada")) == 0 and n.status == "cancelled"


def test_an_outbox_replay_after_a_crash_queues_nobody_twice(
    room: Room, follower: Any, push_service: Any, set_status: Any
) -> None:
    follower("ada")
    set_status(room, Room.Status.LIVE)
    event = OutboxEvent.objects.get(topic="room.status_changed")
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    assert outbox_dispatch(event.id) is True
    assert Notification.objects.count() == 1 and len(push_service.received) == 1
    assert LiveAlert.objects.get().started_at == event.created_at
    assert event.created_at.tzinfo is not None and event.created_at <= datetime.now(UTC)
