"""Notifications test helpers: the fake push service (a real local HTTP server), a performer's room, followers
with a push device or e-mail on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stagedoor.notifications import services
from stagedoor.notifications.tests.fakepush import FakePushService, Subscription
from stagedoor.rooms import services as room_services
from stagedoor.rooms.models import Room


@pytest.fixture
def push_service(settings: Any, db: None) -> Iterator[FakePushService]:
    service = FakePushService().start()
    settings.STAGEDOOR_NOTIFICATIONS_PUSH_HOSTS = ["127.0.0.1"]
    settings.STAGEDOOR_NOTIFICATIONS_PUSH_ALLOW_HTTP = True
    service.expected_vapid_key = services.vapid_key_ensure().public_key
    yield service
    service.stop()


@pytest.fixture
def room(make_user: Callable[..., Any]) -> Room:
    performer = make_user("performer", login="lumen_vale", display_name="Lumen Vale")
    room = room_services.room_for_performer(performer=performer)
    room.title = "Late-night synth jam"
    room.save(update_fields=["title"])
    return room


@pytest.fixture
def follower(
    make_user: Callable[..., Any], room: Room, push_service: FakePushService
) -> Callable[..., tuple[Any, Subscription | None]]:
    """`follower(login, push=True, email=False)`: a viewer following `room`, with a push device on the fake
    service when `push`, e-mail on when `email`."""

    def make(login: str, *, push: bool = True, email: bool = False, tz: str = "UTC") -> tuple[Any, Subscription | None]:
        user = make_user(login=login)
        room_services.room_follow(user=user, room=room)
        sub = None
        if push:
            sub = push_service.subscription(login)
            services.device_subscribe(
                user=user, endpoint=sub.endpoint, p256dh=sub.p256dh, auth=sub.as_json()["keys"]["auth"]
            )
        if email or tz != "UTC":
            services.preference_set(
                user=user, push_enabled=True, email_enabled=email, quiet_start=None, quiet_end=None, timezone=tz
            )
        return user, sub

    return make


@pytest.fixture
def set_status(django_capture_on_commit_callbacks: Any) -> Callable[[Room, str], None]:
    """`set_status(room, "live")`: what streaming does when a publish starts or ends, committed (so the outbox
    dispatches to the handlers, and the fan-out's delivery jobs run)."""

    def change(room: Room, status: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            room_services.room_set_status(room=room, status=status)

    return change
