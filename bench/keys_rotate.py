"""Key-rotation benchmark: `stagedoor keys rotate` over thousands of encrypted rows while people sign in by e-mail
and tip.

    STAGEDOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/stagedoor .venv/bin/python bench/keys_rotate.py \\
        [--users 1000] [--messages 2000] [--clients 2] [--batch-size 500]

Runs in a scratch PostgreSQL database this script creates and drops (`stagedoor_bench_keys_<pid>`; the database
in the URL is never touched). Without STAGEDOOR_DATABASE_URL it says so and reports nulls.

1. Under key `old`: migrate, then `--users` accounts (each an encrypted e-mail address with its keyed hash, every
   fourth with a TOTP secret) and `--messages` chat lines (each an encrypted sender address), plus a performer and
   fans with tokens.
2. The key `new` is put first (`new:…,old:…`, as an operator would) and `--clients` processes start signing in
   by e-mail address (`user_authenticate`: the lookup by keyed hash, the password check, the login audit row with
   its encrypted address) and tipping, while this process runs `stagedoor keys rotate`. The clients stop when the
   rotation has ended.
3. The proof: every token column counted per key id.

Last line: one JSON object: rows_rewrapped, rotate_s, rows_per_s, logins and tips done during the rotation
(and per second), requests_failed (must be 0), rows_left_on_old (must be 0).
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PASSWORD = "bench-password-9"  # noqa: S105 - invented
FANS = 8


def log(message: str) -> None:
    print(f"[keys-rotate-bench] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def key_spec(*pairs: tuple[str, bytes]) -> str:
    return ",".join(f"{kid}:{base64.urlsafe_b64encode(key).decode().rstrip('=')}" for kid, key in pairs)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("STAGEDOOR_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed(env: dict[str, str], users: int, messages: int, out: Any) -> None:
    django_setup(env)
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from stagedoor.accounts.models import User
    from stagedoor.chat.models import ChatMessage
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.verification.testing import give_approved_identity
    from stagedoor.wallet.services import purchase_credit

    password = make_password(PASSWORD)  # one hash for all: seeding measures nothing
    people = [
        User(
            login=f"bench{i:06d}",
            email=f"Bench.Person{i:06d}@mail.example",  # mixed case: the hash is of the lower-cased address
            password=password,
            totp_secret="JBSWY3DPEHPK3PXP" if i % 4 == 0 else "",
        )
        for i in range(users)
    ]
    User.objects.bulk_create(people, batch_size=1000)  # bulk_create runs pre_save: the keyed hash is filled
    performer = User.objects.create_user("benchstar", "benchstar@mail.example", PASSWORD, role="performer")
    give_approved_identity(performer)  # only a verified performer may be tipped
    fans = [User.objects.create_user(f"benchfan{i}", f"benchfan{i}@mail.example", PASSWORD) for i in range(FANS)]
    for fan in fans:
        purchase_credit(
            buyer=fan, tokens=100_000, purchase_id=uuid.uuid4().hex, price_minor=100_000, currency="USD", provider="b"
        )
    room = room_for_performer(performer=performer)
    now = timezone.now()
    ChatMessage.objects.bulk_create(
        [
            ChatMessage(
                id=f"bench{i:07d}",
                room=room,
                login="benchfan0",
                role="viewer",
                text="hello",
                ip=f"198.51.{i // 250 % 256}.{i % 250}",
                created_at=now,
            )
            for i in range(messages)
        ],
        batch_size=1000,
    )
    out.put({"performer": performer.pk, "fans": [f.pk for f in fans], "users": users})


def client(env: dict[str, str], n: int, ids: dict[str, Any], ready: Any, stop: Any, out: Any) -> None:
    """Alternately: sign in by e-mail (any case), then tip. Every exception counts as a failed request."""
    django_setup(env)
    from django.db import close_old_connections

    from stagedoor.accounts.models import User
    from stagedoor.accounts.services import user_authenticate, user_login_succeeded
    from stagedoor.wallet.services import tip_send

    performer = User.objects.get(pk=ids["performer"])
    fan = User.objects.get(pk=ids["fans"][n % len(ids["fans"])])
    logins = tips = failed = i = 0
    errors: list[str] = []
    ready.put(n)
    while not stop.is_set():
        person = (n * 7919 + i) % ids["users"]
        email = f"bench.person{person:06d}@MAIL.example"
        try:
            user = user_authenticate(login=email, password=PASSWORD, ip=f"10.{n}.{i // 250 % 256}.{i % 250}")
            user_login_succeeded(user=user, ip=f"10.{n}.{i // 250 % 256}.{i % 250}", method="password")
            logins += 1
            tip_send(sender=fan, performer=performer, amount=1, idempotency_key=f"bench-{n}-{i}")
            tips += 1
        except Exception as exc:  # every failure is counted and reported
            failed += 1
            if len(errors) < 3:
                errors.append(repr(exc))
        i += 1
    close_old_connections()
    out.put({"logins": logins, "tips": tips, "failed": failed, "errors": errors})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    url = os.environ.get("STAGEDOOR_DATABASE_URL", "")
    if not url.startswith("postgres"):
        log("needs STAGEDOOR_DATABASE_URL=postgres://… (a scratch database is created there)")
        print(json.dumps({"rows_per_s": None, "requests_failed": None}))
        return
    name = f"stagedoor_bench_keys_{os.getpid()}"
    db_url = with_database(url, name)
    var_dir = tempfile.mkdtemp(prefix="stagedoor-bench-keys-")
    old, new = os.urandom(32), os.urandom(32)
    base = {
        "STAGEDOOR_DATABASE_URL": db_url,
        "STAGEDOOR_VAR_DIR": var_dir,
        "STAGEDOOR_LOG_LEVEL": "WARNING",
    }
    old_env = {**base, "STAGEDOOR_ENCRYPTION_KEYS": key_spec(("old", old))}
    new_env = {**base, "STAGEDOOR_ENCRYPTION_KEYS": key_spec(("new", new), ("old", old))}
    admin(url, f'CREATE DATABASE "{name}"')
    ctx = mp.get_context("spawn")
    try:
        env = {k: v for k, v in os.environ.items() if k != "STAGEDOOR_REDIS_URL"}
        subprocess.run(
            [str(Path(sys.executable).parent / "stagedoor"), "migrate", "--no-input"],
            env={**env, **old_env, "PYTHONPATH": str(ROOT / "src")},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = time.monotonic()
        q = ctx.Queue()
        p = ctx.Process(target=seed, args=(old_env, args.users, args.messages, q))
        p.start()
        ids = q.get(timeout=600)
        p.join()
        took = time.monotonic() - started
        log(f"seeded {args.users} accounts and {args.messages} chat lines under key old in {took:.1f}s")

        django_setup(new_env)
        from stagedoor.core import keys

        before = keys.key_counts()
        to_move = sum(n for c in before.values() for kid, n in c.items() if kid == "old")
        stop = ctx.Event()
        ready = ctx.Queue()
        results = ctx.Queue()
        clients = [
            ctx.Process(target=client, args=(new_env, n, ids, ready, stop, results)) for n in range(args.clients)
        ]
        for c in clients:
            c.start()
        for _ in clients:  # every client has set Django up and is about to sign in: the clock starts now
            ready.get(timeout=120)
        log(f"rotating {to_move} rows to key new with {args.clients} clients signing in and tipping")
        t0 = time.monotonic()
        report = keys.rotate(batch_size=args.batch_size, actor="bench keys rotate")  # what `keys rotate` runs
        rotate_s = time.monotonic() - t0
        ok = report.ok
        rewrapped = report.rewrapped
        stop.set()
        done = [results.get(timeout=120) for _ in clients]
        for c in clients:
            c.join(60)
        after = keys.key_counts()
        left = sum(n for c in after.values() for kid, n in c.items() if kid != "new")
        logins = sum(d["logins"] for d in done)
        tips = sum(d["tips"] for d in done)
        failed = sum(d["failed"] for d in done)
        for d in done:
            for e in d["errors"]:
                log(f"client error: {e}")
        log(
            f"rotated {rewrapped} rows in {rotate_s:.1f}s ({rewrapped / rotate_s:.0f} rows/s); "
            f"{logins} logins and {tips} tips meanwhile, {failed} failed; {left} rows left on another key"
        )
        result = {
            "rows_rewrapped": rewrapped,
            "rotate_s": round(rotate_s, 2),
            "rows_per_s": round(rewrapped / rotate_s, 1) if rotate_s else None,
            "rotation_ok": ok,
            "logins": logins,
            "tips": tips,
            "logins_per_s": round(logins / rotate_s, 1),
            "tips_per_s": round(tips / rotate_s, 1),
            "requests_failed": failed,
            "rows_left_on_old": left,
            "clients": args.clients,
            "batch_size": args.batch_size,
        }
        from django.db import connections

        connections.close_all()
    finally:
        admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
