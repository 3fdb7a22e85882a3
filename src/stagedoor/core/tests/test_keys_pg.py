"""On PostgreSQL: `stagedoor keys rotate` over thousands of encrypted rows while people log in (password + TOTP),
tip, and re-enrol their authenticator at the same time. Every row ends on the new key, no request fails, and no
write made during the rotation is lost. Skipped on SQLite (one writer at a time there)."""

from __future__ import annotations

import dataclasses
import itertools
import os
import threading
import uuid
from collections.abc import Callable
from io import StringIO
from typing import Any

import pyotp
import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone

from stagedoor.conftest import TEST_PASSWORD, skip_or_fail
from stagedoor.core import keys
from stagedoor.core.models import EncryptionKeyInUse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MESSAGES = 4000  # chat messages, each with an encrypted sender address
DEADLINE_S = 180.0


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def use_keys(settings: Any, *pairs: tuple[str, bytes]) -> None:
    settings.STAGEDOOR = dataclasses.replace(settings.STAGEDOOR, encryption_keys=dict(pairs), active_key_id=pairs[0][0])


def test_rotation_under_a_load_of_logins_and_tips(settings: Any, make_user: Callable[..., Any]) -> None:
    from django.contrib.auth import get_user_model

    from stagedoor.accounts.services import user_authenticate, user_login_succeeded
    from stagedoor.chat.models import ChatMessage
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.wallet.services import purchase_credit, tip_send

    User = get_user_model()
    old, new = os.urandom(32), os.urandom(32)
    use_keys(settings, ("old", old))
    EncryptionKeyInUse.objects.all().delete()
    EncryptionKeyInUse.objects.create(key_id="old")

    fans = [make_user("viewer", login=f"loadfan{i}", mfa=True) for i in range(8)]
    enrolling = [make_user("viewer", login=f"enrol{i}", mfa=True) for i in range(4)]
    performer = make_user("performer", login="loadstar", mfa=False)
    for fan in fans:
        purchase_credit(
            buyer=fan, tokens=5000, purchase_id=uuid.uuid4().hex, price_minor=50000, currency="USD", provider="test"
        )
    room = room_for_performer(performer=performer)
    now = timezone.now()
    ChatMessage.objects.bulk_create(
        [
            ChatMessage(
                id=f"load{i:06d}",
                room=room,
                login="loadfan0",
                role="viewer",
                text="hello",
                ip=f"198.51.{i // 250}.{i % 250}",
                created_at=now,
            )
            for i in range(MESSAGES)
        ],
        batch_size=1000,
    )
    before = keys.key_counts()
    assert sum(n for c in before.values() for n in c.values()) >= MESSAGES + len(fans) + len(enrolling)

    use_keys(settings, ("new", new), ("old", old))
    finished = threading.Event()
    failures: list[str] = []
    done = {"logins": 0, "tips": 0, "enrolments": 0}
    last_secret: dict[Any, str] = {}
    lock = threading.Lock()
    ips = itertools.count()

    def loop(name: str, step: Callable[[int], None]) -> None:
        try:
            i = 0
            while not finished.is_set():
                try:
                    step(i)
                except Exception as exc:  # any failed request fails the test
                    with lock:
                        failures.append(f"{name}: {exc!r}")
                    return
                with lock:
                    done[name] += 1
                i += 1
        finally:
            close_old_connections()

    def login(fan: Any) -> Callable[[int], None]:
        def step(i: int) -> None:
            n = next(ips)
            user = user_authenticate(
                login=fan.login, password=TEST_PASSWORD, ip=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
            )
            assert pyotp.TOTP(user.totp_secret).verify(pyotp.TOTP(user.totp_secret).now())
            user_login_succeeded(user=user, ip="10.0.0.1", method="password+totp")

        return step

    def tip(fan: Any) -> Callable[[int], None]:
        def step(i: int) -> None:
            tip_send(sender=fan, performer=performer, amount=1, idempotency_key=f"load-{fan.pk}-{i}")

        return step

    def enrol(i: int) -> None:
        user = enrolling[i % len(enrolling)]
        secret = pyotp.random_base32()
        User.objects.filter(pk=user.pk).update(totp_secret=secret)
        with lock:
            last_secret[user.pk] = secret

    rotation: dict[str, Any] = {}

    def rotate() -> None:
        out = StringIO()
        try:
            call_command("keys", "rotate", "--batch-size", "200", stdout=out, stderr=out)
            rotation["ok"] = True
        except Exception as exc:
            rotation["error"] = f"{exc!r}\n{out.getvalue()}"
        finally:
            rotation["output"] = out.getvalue()
            finished.set()
            close_old_connections()

    workers = [threading.Thread(target=loop, args=("logins", login(f))) for f in fans[:4]]
    workers += [threading.Thread(target=loop, args=("tips", tip(f))) for f in fans[4:]]
    workers.append(threading.Thread(target=loop, args=("enrolments", enrol)))
    for w in workers:
        w.start()
    rotator = threading.Thread(target=rotate)
    rotator.start()
    assert finished.wait(DEADLINE_S), "rotation did not finish in time"
    rotator.join(DEADLINE_S)
    for w in workers:
        w.join(DEADLINE_S)

    assert failures == []
    assert rotation.get("ok"), rotation.get("error")
    assert done["logins"] > 0 and done["tips"] > 0 and done["enrolments"] > 0, done
    after = keys.key_counts()
    assert all(set(counts) <= {"new"} for counts in after.values()), after
    assert after["chat.chatmessage.ip"] == {"new": MESSAGES}
    assert keys.keys_in_use() == {"new"}

    # the old key can be dropped: every value reads under the new key alone, re-enrolments made during the
    # rotation included (none was overwritten by a stale re-wrap)
    use_keys(settings, ("new", new))
    keys.check_keys_in_use()
    for pk, secret in last_secret.items():
        assert User.objects.get(pk=pk).totp_secret == secret
    assert ChatMessage.objects.get(pk="load000251").ip == "198.51.1.1"
    assert all(User.objects.get(pk=f.pk).totp_secret for f in fans)
