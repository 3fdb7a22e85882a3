"""Go-live notifications benchmark: a performer with 100,000 followers goes live.

    .venv/bin/python bench/growth_notifications.py [--followers 100000] [--push 2000] [--email-batches 4]
    STAGEDOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/growth_notifications.py

Runs on a scratch database: SQLite in a temporary var dir, or (STAGEDOOR_DATABASE_URL=postgres://…) a scratch
PostgreSQL database this script creates and drops.

1. Seeds `--followers` viewers following one room, e-mail on (bulk inserts: the benchmark measures the fan-out,
   not the seeding).
2. `golive_queued_s`: from `room_set_status(live)` (the status change and its outbox event, committed) until all
   followers' notifications are rows in the queue: the outbox dispatches `room.status_changed` to every handler
   (notifications' set-based INSERT … SELECT fan-out among them) and the delivery jobs are enqueued. The delivery
   jobs are recorded here instead of run, so the clock stops when everything is queued.
   `golive_notifications_per_s` = followers / golive_queued_s (goal: 100k queued within 10 s).
3. `email_delivered_per_s`: `--email-batches` of those delivery jobs run (500 notifications each) with Django's
   in-memory mail backend: the cost of the delivery path itself (rows claimed, preferences, quiet hours, messages
   built, rows written), not of an SMTP server.
4. `push_delivered_per_s`: a second room with `--push` followers, each with a push subscription on a fake push
   service (a real local HTTP server, in this process) that checks each request's VAPID JWT and decrypts its
   RFC 8291 body; the room goes live and its delivery jobs run. The fake service's own decryption shares this
   process's CPU, so the rate is a floor.

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def log(message: str) -> None:
    print(f"[notifications-bench] {message}", file=sys.stderr, flush=True)


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(urlunparse(urlparse(url)._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def _setup(var_dir: str, db_url: str | None) -> None:
    os.environ["STAGEDOOR_VAR_DIR"] = var_dir
    os.environ["STAGEDOOR_LOG_LEVEL"] = "WARNING"
    os.environ["STAGEDOOR_EMAIL_URL"] = "locmem://"  # Django's in-memory mail backend
    os.environ.pop("STAGEDOOR_REDIS_URL", None)
    if db_url:
        os.environ["STAGEDOOR_DATABASE_URL"] = db_url
    else:
        os.environ.pop("STAGEDOOR_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        # a scratch file: the tables straight from the models (what `migrate --run-syncdb` does for an app without
        # migrations) take a second; replaying every app's migrations on this shared 2-core machine takes a minute
        with connection.schema_editor() as editor:
            for model in apps.get_models(include_auto_created=True):
                if model._meta.managed and not model._meta.proxy and not model._meta.auto_created:
                    editor.create_model(model)
    else:
        call_command("migrate", verbosity=0)
    settings.STAGEDOOR_JOBS_BACKEND = "immediate"
    settings.STAGEDOOR_NOTIFICATIONS_PUSH_HOSTS = ["127.0.0.1"]
    settings.STAGEDOOR_NOTIFICATIONS_PUSH_ALLOW_HTTP = True


def _performer(login: str) -> Any:
    from stagedoor.accounts.models import User
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.verification.testing import give_approved_identity

    performer = User.objects.create_user(login, f"{login}@bench.test", "bench-password-123", role="performer")
    give_approved_identity(performer)
    return room_for_performer(performer=performer)


def _followers(room: Any, n: int, prefix: str, *, email: bool) -> list[str]:
    """`n` viewers following `room` (e-mail on when `email`): rows copied from one template user with executemany,
    so seeding 100k takes seconds, not minutes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from stagedoor.accounts.models import User
    from stagedoor.core.hashing import email_hash
    from stagedoor.core.ids import new_id
    from stagedoor.notifications.models import Preference
    from stagedoor.rooms.models import Follow

    template = User.objects.create_user(f"{prefix}_template", f"{prefix}_template@bench.test", None, role="viewer")
    q = connection.ops.quote_name
    fields = User._meta.local_concrete_fields
    own = {"id": "%s", "login": "%s", "email": "%s", "email_hash": "%s"}  # the address encrypted, its keyed hash
    cols = ", ".join(q(f.column) for f in fields)
    picks = ", ".join(own.get(f.column, q(f.column)) for f in fields)
    users, follows = q(User._meta.db_table), q(Follow._meta.db_table)
    users_sql = f"INSERT INTO {users} ({cols}) SELECT {picks} FROM {users} WHERE id = %s"  # noqa: S608 - quoted names
    follow_sql = f"INSERT INTO {follows} (user_id, room_id, created_at) VALUES (%s, %s, %s)"  # noqa: S608 - quoted
    pref_sql = (
        f"INSERT INTO {q(Preference._meta.db_table)} (user_id, push_enabled, email_enabled, timezone, updated_at) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s)"
    )
    email_field = User._meta.get_field("email")
    own_values = {
        "id": lambda uid, login, mail: uid,
        "login": lambda uid, login, mail: login,
        "email": lambda uid, login, mail: sealed(mail),
        "email_hash": lambda uid, login, mail: email_hash(mail),
    }
    own_order = [f.column for f in fields if f.column in own]  # the placeholders' order in the SELECT

    def sealed(mail: str) -> Any:
        return email_field.get_db_prep_value(mail, connection)

    now = timezone.now()
    ids: list[str] = []
    chunk = 10_000
    for start in range(0, n, chunk):
        batch = [(new_id(), f"{prefix}{i}", f"{prefix}{i}@bench.test") for i in range(start, min(n, start + chunk))]
        with transaction.atomic(), connection.cursor() as cursor:
            rows = [(*(own_values[c](uid, login, mail) for c in own_order), template.pk) for uid, login, mail in batch]
            cursor.executemany(users_sql, rows)
            cursor.executemany(follow_sql, [(uid, room.id, now) for uid, _, _ in batch])
            if email:
                cursor.executemany(pref_sql, [(uid, False, True, "UTC", now) for uid, _, _ in batch])
        ids.extend(uid for uid, _, _ in batch)
    template.delete()
    return ids


def run(*, followers: int = 100_000, push: int = 2_000, email_batches: int = 4) -> dict[str, Any]:
    from django.core import mail
    from django.db import connection

    from stagedoor.core import jobs
    from stagedoor.notifications import services
    from stagedoor.notifications.models import LiveAlert, Notification, PushSubscription
    from stagedoor.notifications.selectors import endpoint_hash
    from stagedoor.notifications.tests.fakepush import FakePushService
    from stagedoor.rooms.models import Room
    from stagedoor.rooms.services import room_set_status

    result: dict[str, Any] = {"database": connection.vendor, "followers": followers}
    room = _performer("bench_nova")
    clock = time.perf_counter()
    _followers(room, followers, "fan", email=True)
    log(f"{followers} followers seeded in {time.perf_counter() - clock:.1f}s")

    recorded: list[tuple[Any, ...]] = []
    deliver = jobs._REGISTRY["notifications.deliver"]
    jobs._REGISTRY["notifications.deliver"] = lambda *args: recorded.append(args)
    try:
        clock = time.perf_counter()
        room_set_status(room=room, status=Room.Status.LIVE)
        queued_s = time.perf_counter() - clock
    finally:
        jobs._REGISTRY["notifications.deliver"] = deliver
    alert = LiveAlert.objects.get(room=room)
    queued = Notification.objects.filter(alert=alert, status="queued").count()
    assert queued == followers == alert.queued, (queued, followers, alert.queued)
    assert len(recorded) == -(-followers // 500)
    result.update(
        golive_queued_s=round(queued_s, 3),
        golive_notifications_per_s=round(followers / queued_s),
        golive_goal_met=queued_s <= 10.0,
        delivery_jobs=len(recorded),
    )
    log(f"queued {queued} in {queued_s:.2f}s ({len(recorded)} delivery jobs)")

    mail.outbox = []
    batches = recorded[:email_batches]
    clock = time.perf_counter()
    sent = sum(deliver(*args) for args in batches)
    email_s = time.perf_counter() - clock
    assert sent == len(mail.outbox) == min(followers, 500 * len(batches)), (sent, len(mail.outbox))
    result.update(email_delivered=sent, email_delivery_s=round(email_s, 3), email_delivered_per_s=round(sent / email_s))
    log(f"e-mail: {sent} delivered in {email_s:.2f}s")

    if push:
        service = FakePushService().start()
        service.expected_vapid_key = services.vapid_key_ensure().public_key
        room2 = _performer("bench_oriel")
        ids = _followers(room2, push, "pushfan", email=False)
        clock = time.perf_counter()
        for i, user_id in enumerate(ids):
            sub = service.subscription(f"s{i}")
            PushSubscription.objects.create(
                user_id=user_id,
                endpoint=sub.endpoint,
                keys=sub.as_json()["keys"],
                endpoint_hash=endpoint_hash(sub.endpoint),
            )
        log(f"{push} push subscriptions in {time.perf_counter() - clock:.1f}s")
        clock = time.perf_counter()
        room_set_status(room=room2, status=Room.Status.LIVE)  # fan-out and delivery jobs, run inline
        push_s = time.perf_counter() - clock
        service.stop()
        delivered = len(service.received)
        assert delivered == push and not service.refused, (delivered, service.refused[:3])
        alert2 = LiveAlert.objects.get(room=room2)
        assert Notification.objects.filter(alert=alert2, status="sent").count() == push
        result.update(
            push_delivered=delivered, push_delivery_s=round(push_s, 3), push_delivered_per_s=round(delivered / push_s)
        )
        log(f"push: {delivered} delivered and decrypted in {push_s:.2f}s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=100_000)
    parser.add_argument("--push", type=int, default=2_000)
    parser.add_argument("--email-batches", type=int, default=4)
    args = parser.parse_args()
    url = os.environ.get("STAGEDOOR_DATABASE_URL", "")
    db_url = None
    name = f"stagedoor_notifbench_{os.getpid()}"
    if urlparse(url).scheme in {"postgres", "postgresql"}:
        _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        _admin(url, f'CREATE DATABASE "{name}"')
        db_url = urlunparse(urlparse(url)._replace(path=f"/{name}"))
    try:
        _setup(tempfile.mkdtemp(prefix="notif-bench-"), db_url)
        result = run(followers=args.followers, push=args.push, email_batches=args.email_batches)
    finally:
        if db_url:
            from django.db import connections

            connections.close_all()
            _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
