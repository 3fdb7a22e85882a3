"""Leaderboard lag benchmark: how long after a tip is accepted does a contest's leaderboard show it?

    .venv/bin/python bench/growth_leaderboard.py [--seconds 12] [--tippers 3] [--tips-per-s 6] [--poll-ms 350]

Runs on a scratch database: SQLite in a temporary var dir by default, or — when STAGEDOOR_DATABASE_URL names
PostgreSQL — a scratch database `stagedoor_lbbench_<pid>` on that server (created and dropped; the database in the
URL is never touched).

1. Seeds 6 performers in one running contest (tips received), 30 viewers with tokens and personal API tokens.
2. Starts `stagedoor web` (uvicorn) and, for `--seconds`:
   - `--tippers` threads POST /api/v1/tips (the call the room's tip button makes) at `--tips-per-s` in all, random
     viewers to random entrants; a tip counts as accepted when its 201 arrives;
   - one reader polls GET /api/v1/community/contests/<slug>/leaderboard the way the contest page does: a request,
     then `--poll-ms` after its answer the next one.
   When a tip is accepted, the accepted total of its performer so far is noted; the tip's lag is the time from its
   201 to the first leaderboard answer showing at least that total (an answer that arrived before the 201 counts
   as 0 ms: the tip was on the board before its sender heard back).
3. At the end the leaderboard must equal the sum of the accepted tips, performer by performer.

Last line: one JSON object with leaderboard_lag_ms_p99 (goal <= 1000), leaderboard_lag_ms_p50, tips, polls,
poll_ms_p50 and final_correct.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PERFORMERS = 6
VIEWERS = 30
FUNDS = 1_000_000


def log(message: str) -> None:
    print(f"[leaderboard-bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def seed() -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from stagedoor.accounts.models import User
    from stagedoor.accounts.services import api_token_create
    from stagedoor.community import services as community
    from stagedoor.core.ids import new_id
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.verification.testing import give_approved_identity
    from stagedoor.wallet import services as wallet

    performers = [
        User.objects.create_user(f"lbp{i}", f"lbp{i}@bench.test", None, role="performer") for i in range(PERFORMERS)
    ]
    give_approved_identity(performers)
    for p in performers:
        room_for_performer(performer=p)
    viewers = [User.objects.create_user(f"lbv{i}", f"lbv{i}@bench.test", None, role="viewer") for i in range(VIEWERS)]
    for v in viewers:
        wallet.purchase_credit(
            buyer=v, tokens=FUNDS, purchase_id=new_id(), price_minor=FUNDS, currency="USD", provider="bench"
        )
    staff = User.objects.create_user("lbadmin", "lbadmin@bench.test", None, role="admin")
    now = timezone.now()
    contest = community.contest_create(
        actor=staff,
        slug="bench-cup",
        title="Bench cup",
        metric="tips",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=2),
    )
    for p in performers:
        community.contest_enter(performer=p, contest_id=contest.pk)
    return {
        "slug": contest.slug,
        "performers": {p.pk: p.login for p in performers},
        "tokens": [api_token_create(user=v, name="bench")[1] for v in viewers],
    }


def start_web(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "stagedoor.cli", "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"stagedoor web exited with {server.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, port
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("stagedoor web did not start")


def measure(
    port: int, ids: dict[str, Any], *, seconds: float, tippers: int, rate: float, poll_ms: float
) -> dict[str, Any]:
    import httpx

    base = f"http://127.0.0.1:{port}"
    board_url = f"/api/v1/community/contests/{ids['slug']}/leaderboard"
    performers = list(ids["performers"])
    logins = ids["performers"]
    lock = threading.Lock()
    accepted: dict[str, int] = dict.fromkeys(logins.values(), 0)
    acks: list[tuple[float, str, int]] = []  # (time of the 201, login, accepted total of that login then)
    polls: list[tuple[float, dict[str, int]]] = []  # (time the answer arrived, scores)
    poll_latency: list[float] = []
    errors: dict[str, int] = {}
    stop = threading.Event()
    start_at = time.perf_counter() + 0.5
    deadline = start_at + seconds

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            while not stop.is_set():
                sent = time.perf_counter()
                response = http.get(board_url)
                got = time.perf_counter()
                if response.status_code == 200:
                    scores = {s["login"]: s["score"] for s in response.json()["standings"]}
                    polls.append((got, scores))
                    poll_latency.append((got - sent) * 1000)
                stop.wait(poll_ms / 1000)

    def tipper(n: int) -> None:
        rng = random.Random(n)
        interval = tippers / rate
        sent = 0
        with httpx.Client(base_url=base, timeout=30) as http:
            next_at = start_at + rng.random() * interval
            while True:
                now = time.perf_counter()
                if now >= deadline:
                    break
                if now < next_at:
                    time.sleep(min(next_at - now, 0.05))
                    continue
                next_at += interval * rng.uniform(0.5, 1.5)
                performer = rng.choice(performers)
                amount = rng.randint(1, 40)
                response = http.post(
                    "/api/v1/tips",
                    json={"performer_id": performer, "amount": amount, "message": "go!"},
                    headers={
                        "Authorization": f"Bearer {rng.choice(ids['tokens'])}",
                        "Idempotency-Key": f"lbench-{n}-{sent:06d}",
                    },
                )
                sent += 1
                acked = time.perf_counter()
                if response.status_code == 201:
                    with lock:
                        login = logins[performer]
                        accepted[login] += amount
                        acks.append((acked, login, accepted[login]))
                else:
                    with lock:
                        key = f"{response.status_code} {response.json().get('code', '')}"
                        errors[key] = errors.get(key, 0) + 1

    watcher = threading.Thread(target=reader)
    watcher.start()
    threads = [threading.Thread(target=tipper, args=(n,)) for n in range(tippers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(max(2.0, 3 * poll_ms / 1000))  # let the reader see the last tips
    stop.set()
    watcher.join()

    lags: list[float] = []
    unseen = 0
    for acked, login, total in acks:
        # the first answer showing the total: answers are in time order, and a score only grows
        i = next((k for k, (_, scores) in enumerate(polls) if scores.get(login, 0) >= total), None)
        if i is None:
            unseen += 1
            continue
        lags.append(max(0.0, (polls[i][0] - acked) * 1000))
    with httpx.Client(base_url=base, timeout=10) as http:
        final = {s["login"]: s["score"] for s in http.get(board_url).json()["standings"]}
    return {
        "lags": lags,
        "unseen": unseen,
        "tips": len(acks),
        "errors": errors,
        "polls": len(polls),
        "poll_ms_p50": pct(poll_latency, 0.5),
        "poll_ms_p99": pct(poll_latency, 0.99),
        "final_correct": final == accepted,
        "final": final,
        "accepted": accepted,
    }


def run(*, seconds: float = 12.0, tippers: int = 3, tips_per_s: float = 6.0, poll_ms: float = 350.0) -> dict[str, Any]:
    url = os.environ.get("STAGEDOOR_DATABASE_URL", "")
    postgres = urlparse(url).scheme in {"postgres", "postgresql"}
    var_dir = tempfile.mkdtemp(prefix="stagedoor-lbbench-")
    env = dict(
        os.environ,
        STAGEDOOR_VAR_DIR=var_dir,
        STAGEDOOR_LOG_LEVEL="WARNING",
        PYTHONPATH=os.environ.get("PYTHONPATH") or str(ROOT / "src"),
    )
    env.pop("STAGEDOOR_REDIS_URL", None)  # the embedded backends: one web process
    name = f"stagedoor_lbbench_{os.getpid()}"
    if postgres:
        env["STAGEDOOR_DATABASE_URL"] = with_database(url, name)
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
        admin_sql(url, f'CREATE DATABASE "{name}"')
    else:
        env.pop("STAGEDOOR_DATABASE_URL", None)
    server: subprocess.Popen[bytes] | None = None
    try:
        django_setup(env)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        clock = time.perf_counter()
        ids = seed()
        log(f"seeded in {time.perf_counter() - clock:.1f}s")
        connections.close_all()
        server, port = start_web(env)
        found = measure(port, ids, seconds=seconds, tippers=tippers, rate=tips_per_s, poll_ms=poll_ms)
        lags = found.pop("lags")
        if not lags:
            raise RuntimeError(f"no tip was measured: {found['errors']}")
        log(f"tips {found['tips']}, polls {found['polls']}, errors {found['errors']}, unseen {found['unseen']}")
        return {
            "leaderboard_lag_ms_p99": pct(lags, 0.99),
            "leaderboard_lag_ms_p50": pct(lags, 0.5),
            "leaderboard_lag_ms_max": round(max(lags), 1) if lags else 0.0,
            "goal_ms": 1000,
            "tips": found["tips"],
            "tip_errors": found["errors"],
            "tips_never_seen": found["unseen"],
            "polls": found["polls"],
            "poll_ms_p50": found["poll_ms_p50"],
            "poll_ms_p99": found["poll_ms_p99"],
            "poll_interval_ms": poll_ms,
            "final_correct": found["final_correct"],
            "database": "postgresql" if postgres else "sqlite",
            "seconds": seconds,
            "tippers": tippers,
            "tips_per_s": tips_per_s,
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if postgres:
            from django.db import connections

            connections.close_all()
            admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--tippers", type=int, default=3)
    parser.add_argument("--tips-per-s", type=float, default=6.0)
    parser.add_argument("--poll-ms", type=float, default=350.0, help="the contest page's refresh (community.views)")
    args = parser.parse_args()
    result = run(seconds=args.seconds, tippers=args.tippers, tips_per_s=args.tips_per_s, poll_ms=args.poll_ms)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
