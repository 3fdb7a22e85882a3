"""Pages: the account card (preferences form), the schedule page, the service worker; the staff console's live
alerts section and person panel, with their audited actions."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stagedoor.core.models import AuditEntry
from stagedoor.notifications import services
from stagedoor.notifications.models import LiveAlert, Notification, Preference, PushSubscription
from stagedoor.rooms.models import Room, ScheduledShow
from stagedoor.wallet.tests.conftest import consent
from stagedoor.web.tests.console_helpers import client_for

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    consent(user)
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_the_account_page_shows_the_card_and_saves_preferences(make_user: Any) -> None:
    user = make_user()
    client = _client(user)
    page = client.get("/account").content.decode()
    assert 'data-testid="account-notifications"' in page and 'value="Europe/Berlin"' in page
    assert "/static/notifications/push.js" in page
    resp = client.post(
        "/account/notifications",
        {"email_enabled": "1", "quiet_start": "23:00", "quiet_end": "06:30", "timezone": "Europe/Berlin"},
    )
    assert (resp.status_code, resp["Location"]) == (302, "/account#notifications")
    pref = Preference.objects.get(user=user)
    assert (pref.push_enabled, pref.email_enabled, pref.quiet_start, pref.quiet_end, pref.timezone) == (
        False,
        True,
        time(23, 0),
        time(6, 30),
        "Europe/Berlin",
    )
    page = client.get("/account").content.decode()
    assert 'value="23:00"' in page and '<option value="Europe/Berlin" selected>' in page


def test_a_bad_preferences_form_changes_nothing(make_user: Any) -> None:
    user = make_user()
    client = _client(user)
    for form in (
        {"timezone": "Nowhere/Else", "push_enabled": "1"},
        {"timezone": "UTC", "quiet_start": "25:99", "quiet_end": "06:00"},
        {"timezone": "UTC", "quiet_start": "06:00"},
    ):
        resp = client.post("/account/notifications", form, follow=True)
        assert resp.status_code == 200
        assert any(m.level_tag == "error" for m in resp.context["messages"])
    assert not Preference.objects.filter(user=user).exists()


def test_the_schedule_page(make_user: Any, room: Room) -> None:
    ScheduledShow.objects.create(room=room, starts_at=timezone.now() + timedelta(hours=2), title="Modular night")
    viewer = _client(make_user())
    page = viewer.get("/schedule").content.decode()
    assert 'data-testid="schedule-entry" data-room="lumen-vale"' in page and "Modular night" in page
    page = viewer.get("/schedule?following=1").content.decode()
    assert 'data-testid="schedule-empty"' in page and "No show announced by the rooms you follow." in page


def test_the_service_worker_is_served_for_the_whole_site(db: None) -> None:
    resp = Client().get("/notifications/sw.js")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/javascript; charset=utf-8"
    assert resp["Service-Worker-Allowed"] == "/"
    assert 'addEventListener("push"' in resp.content.decode()


def test_console_alerts_and_stopping_one(room: Room, follower: Any, make_user: Any, set_status: Any) -> None:
    ada, _ = follower("ada", tz="UTC")
    now = timezone.now()
    services.preference_set(
        user=ada,
        push_enabled=True,
        email_enabled=False,
        quiet_start=(now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(now + timedelta(hours=1)).time().replace(second=0, microsecond=0),
        timezone="UTC",
    )
    set_status(room, Room.Status.LIVE)
    alert = LiveAlert.objects.get()
    support = client_for(make_user("support_l1", mfa=True))
    page = support.get("/staff/live-alerts/").content.decode()
    assert f'data-alert="{alert.id}"' in page and 'data-testid="alert-stop"' not in page
    # support may not stop it; nothing changes
    assert support.post(f"/staff/live-alerts/{alert.id}/stop", {"reason": "x"}).status_code == 403
    assert Notification.objects.get().status == "deferred"
    mod = make_user("moderator", mfa=True)
    client = client_for(mod)
    assert 'data-testid="alert-stop"' in client.get("/staff/live-alerts/").content.decode()
    assert client.post(f"/staff/live-alerts/{alert.id}/stop", {"reason": ""}).status_code == 302
    assert Notification.objects.get().status == "deferred"  # no reason, no stop
    client.post(f"/staff/live-alerts/{alert.id}/stop", {"reason": "broadcast during a suspension"})
    assert Notification.objects.get().status == "cancelled"
    assert AuditEntry.objects.get(action="notifications.alert_stop").actor_id == mod.pk


def test_console_person_panel_and_removing_devices(follower: Any, make_user: Any) -> None:
    ada, _ = follower("ada")
    support = client_for(make_user("support_l1", mfa=True))
    page = support.get(f"/staff/users/{ada.pk}/").content.decode()
    assert 'data-testid="person-notification-prefs"' in page and "1 device" in page
    assert 'data-testid="devices-remove"' not in page
    url = f"/staff/live-alerts/users/{ada.pk}/devices/remove"
    assert support.post(url, {"reason": "lost phone"}).status_code == 403
    assert PushSubscription.objects.count() == 1
    l2 = make_user("support_l2", mfa=True)
    client = client_for(l2)
    assert 'data-testid="devices-remove"' in client.get(f"/staff/users/{ada.pk}/").content.decode()
    assert client.post(url, {"reason": "lost phone"}).status_code == 302
    assert PushSubscription.objects.count() == 0
    entry = AuditEntry.objects.get(action="notifications.devices_remove")
    assert (entry.actor_id, entry.target_id, entry.data) == (l2.pk, ada.pk, {"removed": 1, "reason": "lost phone"})
