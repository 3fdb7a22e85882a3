"""The notifications API: the VAPID key, preferences, push devices (encrypted, found by a keyed hash), the
schedule. Refusals change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from stagedoor.notifications import conf
from stagedoor.notifications.models import Preference, PushSubscription, VapidKey
from stagedoor.notifications.push import b64url_decode
from stagedoor.notifications.selectors import endpoint_hash
from stagedoor.rooms import services as room_services
from stagedoor.rooms.models import ScheduledShow

PREFS = "/api/v1/notifications/preferences"
DEVICES = "/api/v1/notifications/devices"


def test_the_vapid_key_is_made_once_and_its_private_half_encrypted(api_client: Any, db: None) -> None:
    first = api_client().get("/api/v1/notifications/vapid-key").json()["public_key"]
    again = api_client().get("/api/v1/notifications/vapid-key").json()["public_key"]
    assert first == again and len(b64url_decode(first)) == 65 and b64url_decode(first)[0] == 4
    assert VapidKey.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_pem FROM notifications_vapidkey")
        raw = cursor.fetchone()[0]
    assert raw.startswith("v1.") and "PRIVATE KEY" not in raw
    assert VapidKey.objects.get().private_pem.startswith("-----BEGIN PRIVATE KEY-----\n")


def test_preferences_default_then_saved(api_client: Any, make_user: Any) -> None:
    user = make_user()
    client = api_client(user)
    assert client.get(PREFS).json() == {
        "push_enabled": True,
        "email_enabled": False,
        "quiet_start": None,
        "quiet_end": None,
        "timezone": "UTC",
        "devices": 0,
    }
    body = {
        "push_enabled": False,
        "email_enabled": True,
        "quiet_start": "22:30",
        "quiet_end": "07:00",
        "timezone": "Europe/Lisbon",
    }
    resp = client.put(PREFS, body, content_type="application/json")
    assert resp.status_code == 200
    assert resp.json() == {**body, "quiet_start": "22:30:00", "quiet_end": "07:00:00", "devices": 0}
    assert client.get(PREFS).json()["timezone"] == "Europe/Lisbon"


def test_bad_preferences_are_refused_and_change_nothing(api_client: Any, make_user: Any) -> None:
    user = make_user()
    client = api_client(user)
    ok = {"push_enabled": True, "email_enabled": True, "quiet_start": None, "quiet_end": None, "timezone": "Asia/Tokyo"}
    assert client.put(PREFS, ok, content_type="application/json").status_code == 200
    cases = [
        ({**ok, "timezone": "Mars/Olympus"}, "notifications.invalid_timezone"),
        ({**ok, "quiet_start": "22:00"}, "notifications.invalid_quiet_hours"),
        ({**ok, "quiet_start": "22:00", "quiet_end": "22:00"}, "notifications.invalid_quiet_hours"),
    ]
    for body, code in cases:
        resp = client.put(PREFS, body, content_type="application/json")
        assert (resp.status_code, resp.json()["code"]) == (422, code)
    pref = Preference.objects.get(user=user)
    assert (pref.timezone, pref.quiet_start, pref.email_enabled) == ("Asia/Tokyo", None, True)


def _sub(push_service: Any, token: str) -> dict[str, Any]:
    sub: dict[str, Any] = push_service.subscription(token).as_json()
    return sub


def test_a_device_is_stored_encrypted_and_deduplicated_by_a_keyed_hash(
    api_client: Any, make_user: Any, push_service: Any
) -> None:
    ada, bo = make_user(login="ada"), make_user(login="bo")
    sub = _sub(push_service, "ada-phone")
    resp = api_client(ada).post(DEVICES, sub, content_type="application/json", HTTP_USER_AGENT="Firefox/128")
    assert resp.status_code == 201
    device = PushSubscription.objects.get()
    assert (device.user_id, device.endpoint, device.keys, device.user_agent) == (
        ada.pk,
        sub["endpoint"],
        sub["keys"],
        "Firefox/128",
    )
    assert device.endpoint_hash == endpoint_hash(sub["endpoint"]) and len(device.endpoint_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT endpoint, keys FROM notifications_pushsubscription")
        endpoint_raw, keys_raw = cursor.fetchone()
    assert "127.0.0.1" not in endpoint_raw and sub["keys"]["auth"] not in keys_raw
    # the same browser again (new keys) updates the row; a shared browser moves to whoever subscribes now
    again = {**sub, "keys": _sub(push_service, "other")["keys"]}
    assert api_client(bo).post(DEVICES, again, content_type="application/json").status_code == 201
    device = PushSubscription.objects.get()
    assert (device.user_id, device.keys) == (bo.pk, again["keys"])
    assert api_client(ada).get(DEVICES).json() == []
    assert [d["id"] for d in api_client(bo).get(DEVICES).json()] == [device.id]


def test_bad_subscriptions_are_refused_and_store_nothing(
    api_client: Any, make_user: Any, push_service: Any, settings: Any
) -> None:
    client = api_client(make_user())
    good = _sub(push_service, "x")
    cases = [
        {**good, "endpoint": "https://metadata.internal/latest"},  # not a push service: would be an SSRF
        {**good, "endpoint": "ftp://127.0.0.1/push/x"},
        {**good, "keys": {**good["keys"], "p256dh": "AAAA"}},
        {**good, "keys": {**good["keys"], "auth": "c2hvcnQ"}},
    ]
    for body in cases:
        resp = client.post(DEVICES, body, content_type="application/json")
        assert (resp.status_code, resp.json()["code"]) == (422, "notifications.invalid_subscription")
    settings.STAGEDOOR_NOTIFICATIONS_PUSH_ALLOW_HTTP = False
    resp = client.post(DEVICES, good, content_type="application/json")
    assert resp.json()["code"] == "notifications.invalid_subscription"
    assert PushSubscription.objects.count() == 0


def test_real_push_services_are_allowed_by_default(settings: Any) -> None:
    del settings.STAGEDOOR_NOTIFICATIONS_PUSH_HOSTS
    assert conf.endpoint_allowed("https://fcm.googleapis.com/fcm/send/abc:def")
    assert conf.endpoint_allowed("https://updates.push.services.mozilla.com/wpush/v2/gAAA")
    assert conf.endpoint_allowed("https://web.push.apple.com/QGuQ")
    assert not conf.endpoint_allowed("http://fcm.googleapis.com/fcm/send/abc")
    assert not conf.endpoint_allowed("https://evil-fcm.googleapis.com.example/x")
    assert not conf.endpoint_allowed("https://user:pw@fcm.googleapis.com/x")


def test_too_many_devices(api_client: Any, make_user: Any, push_service: Any) -> None:
    client = api_client(make_user())
    for i in range(conf.MAX_DEVICES):
        assert client.post(DEVICES, _sub(push_service, f"d{i}"), content_type="application/json").status_code == 201
    resp = client.post(DEVICES, _sub(push_service, "one-more"), content_type="application/json")
    assert (resp.status_code, resp.json()["code"]) == (422, "notifications.too_many_devices")
    assert PushSubscription.objects.count() == conf.MAX_DEVICES


def test_unsubscribe_and_delete_touch_only_ones_own_devices(api_client: Any, make_user: Any, push_service: Any) -> None:
    ada, bo = make_user(login="ada"), make_user(login="bo")
    a_sub, b_sub = _sub(push_service, "a"), _sub(push_service, "b")
    api_client(ada).post(DEVICES, a_sub, content_type="application/json")
    b_id = api_client(bo).post(DEVICES, b_sub, content_type="application/json").json()["id"]
    unsub = "/api/v1/notifications/devices/unsubscribe"
    assert api_client(ada).post(unsub, {"endpoint": b_sub["endpoint"]}, content_type="application/json").json() == {
        "removed": False
    }
    resp = api_client(ada).delete(f"{DEVICES}/{b_id}")
    assert (resp.status_code, resp.json()["code"]) == (404, "notifications.subscription_not_found")
    assert PushSubscription.objects.count() == 2
    assert api_client(ada).post(unsub, {"endpoint": a_sub["endpoint"]}, content_type="application/json").json() == {
        "removed": True
    }
    assert api_client(bo).delete(f"{DEVICES}/{b_id}").status_code == 204
    assert PushSubscription.objects.count() == 0


def test_the_schedule_lists_upcoming_shows_and_the_ones_followed(api_client: Any, make_user: Any) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    rooms = []
    for login in ("lumen_vale", "oriel_kite"):
        room = room_services.room_for_performer(
            performer=make_user("performer", login=login, display_name=login.title())
        )
        rooms.append(room)
    ScheduledShow.objects.create(room=rooms[0], starts_at=now + timedelta(hours=3), title="Synths")
    ScheduledShow.objects.create(room=rooms[1], starts_at=now + timedelta(hours=1), duration_minutes=90)
    ScheduledShow.objects.create(room=rooms[1], starts_at=now + timedelta(days=20))  # beyond two weeks
    ScheduledShow.objects.create(room=rooms[0], starts_at=now - timedelta(hours=3))  # over
    viewer = make_user()
    room_services.room_follow(user=viewer, room=rooms[0])

    everything = api_client(viewer).get("/api/v1/notifications/schedule").json()
    assert [(e["room_slug"], e["duration_minutes"], e["title"], e["following"]) for e in everything] == [
        ("oriel-kite", 90, "Oriel_Kite's room", False),
        ("lumen-vale", 60, "Synths", True),
    ]
    assert everything[1]["room_url"] == "/r/lumen-vale" and everything[1]["performer_name"] == "Lumen_Vale"
    mine = api_client(viewer).get("/api/v1/notifications/schedule?following=true").json()
    assert [e["room_slug"] for e in mine] == ["lumen-vale"]
    assert api_client().get("/api/v1/notifications/schedule?following=true").json() == []
