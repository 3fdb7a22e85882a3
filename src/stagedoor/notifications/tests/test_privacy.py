"""notifications' exporter and eraser: preferences, devices and notifications out, then gone."""

from __future__ import annotations

from typing import Any

from stagedoor.core.privacy_registry import EraseContext
from stagedoor.notifications.models import Notification, Preference, PushSubscription
from stagedoor.notifications.privacy import erase_notifications, export_notifications
from stagedoor.rooms.models import Room


def test_export_then_erase(room: Room, follower: Any, set_status: Any) -> None:
    ada, sub = follower("ada", email=True)
    follower("bo")
    set_status(room, Room.Status.LIVE)
    data = export_notifications(ada)
    assert [(p["email_enabled"], p["timezone"]) for p in data["notification_preferences"]] == [(True, "UTC")]
    assert [d["endpoint"] for d in data["push_devices"]] == [sub.endpoint]
    assert "keys" not in data["push_devices"][0]
    assert [(n["room_id"], n["status"], n["pushed"], n["emailed"]) for n in data["go_live_notifications"]] == [
        (room.id, "sent", 1, True)
    ]
    result = erase_notifications(EraseContext(user=ada, tombstone="erased_x"))
    assert result.changed == 3 and result.kept == []
    assert not Preference.objects.filter(user=ada).exists()
    assert not PushSubscription.objects.filter(user=ada).exists()
    assert not Notification.objects.filter(user=ada).exists()
    assert Notification.objects.filter(user__login="bo").count() == 1  # others untouched
