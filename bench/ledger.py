"""Ledger benchmark: tips per second through the service layer and the HTTP API, against pgbench.

    STAGEDOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/stagedoor .venv/bin/python bench/ledger.py [--seconds 10] [--clients 4]

Everything runs on the PostgreSQL server named by STAGEDOOR_DATABASE_URL, in scratch databases this
script creates and drops (`stagedoor_bench_<pid>` for the tips, `stagedoor_pgbench_<pid>` for pgbench);
the database in the URL is never touched.

1. service layer: `--clients` processes call `wallet.services.tip_send` in a loop for `--seconds`, first
   with tips spread over 100 performers (uniform), then all to one performer (hot). Outbox dispatch and
   balance roll-ups are deferred while the clock runs (in production they run in Celery workers) and
   are drained — and timed — afterwards.
2. HTTP API: one `stagedoor web` process (uvicorn); `--clients` client threads POST /api/v1/tips with
   personal API tokens, uniform then hot. Outbox jobs run in that process, as in the embedded mode.
3. pgbench's built-in TPC-B-like script, scale 10, the same number of clients, same duration.
Then the ledger is verified (every transfer sums to zero, every balance equals its entries, no negative
wallet, every token accounted for).

Last line: one JSON object with tips_per_s_service, tips_per_s_api, hot_vs_uniform, pgbench_tps,
ratio_vs_pgbench and invariant_violations (plus the parts they are made of).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
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
PERFORMERS = 100
VIEWERS = 400
FUNDS = 10_000_000


def log(message: str) -> None:
    print(f"[ledger-bench] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def django_setup(db_url: str, var_dir: str) -> None:
    os.environ["STAGEDOOR_DATABASE_URL"] = db_url
    os.environ["STAGEDOOR_VAR_DIR"] = var_dir
    os.environ.setdefault("STAGEDOOR_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --------------------------------------------------------------------------- service layer


WARMUP_S = 1.5


def service_worker(
    db_url: str, var_dir: str, ids: dict[str, Any], hot: bool, seconds: float, go: Any, n: int, out: Any
) -> None:
    django_setup(db_url, var_dir)
    from django.db import connection

    from stagedoor.accounts.models import User
    from stagedoor.core import jobs
    from stagedoor.wallet import services

    deferred: list[tuple[str, tuple[Any, ...]]] = []
    jobs.enqueue = lambda name, *args: deferred.append((name, args))  # type: ignore[assignment]
    rng = random.Random(n)
    viewers = list(User.objects.filter(pk__in=ids["viewers"][n :: ids["clients"]]))
    performers = list(User.objects.filter(pk__in=ids["performers"]))
    hot_one = next(p for p in performers if p.pk == ids["performers"][0])
    connection.ensure_connection()
    out.put({"ready": n})
    go.wait()  # every worker has imported Django and connected: all start together
    counting_from = time.time() + WARMUP_S
    deadline = counting_from + seconds
    done = errors = sent = 0
    while (now := time.time()) < deadline:
        try:
            services.tip_send(
                sender=rng.choice(viewers),
                performer=hot_one if hot else rng.choice(performers),
                amount=rng.randint(1, 50),
                message="bench",
                idempotency_key=f"bench-{'h' if hot else 'u'}-{n}-{sent}",
            )
            ok = True
        except Exception:
            ok = False
        sent += 1
        if now >= counting_from:
            done += ok
            errors += not ok
    out.put({"tips": done, "errors": errors, "deferred": len(deferred)})


def run_service(
    db_url: str, var_dir: str, ids: dict[str, Any], *, hot: bool, seconds: float, clients: int
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    go = ctx.Event()
    procs = [
        ctx.Process(target=service_worker, args=(db_url, var_dir, ids, hot, seconds, go, n, out))
        for n in range(clients)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        out.get(timeout=120)
    go.set()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    tips = sum(r["tips"] for r in results)
    return {"tips": tips, "errors": sum(r["errors"] for r in results), "per_s": tips / seconds}


# --------------------------------------------------------------------------- HTTP API


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_api(
    tokens: list[str], ids: dict[str, Any], port: int, *, hot: bool, seconds: float, clients: int
) -> dict[str, Any]:
    import httpx

    counts = {"tips": 0, "errors": 0}
    lock = threading.Lock()
    start_at = time.time() + 0.5
    deadline = start_at + seconds

    def client(n: int) -> None:
        rng = random.Random(1000 + n)
        mine = tokens[n::clients]
        done = errors = 0
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            while time.time() < start_at:
                time.sleep(0.001)
            while time.time() < deadline:
                performer = ids["performers"][0] if hot else rng.choice(ids["performers"])
                response = http.post(
                    "/api/v1/tips",
                    json={"performer_id": performer, "amount": rng.randint(1, 50), "message": "bench"},
                    headers={
                        "Authorization": f"Bearer {rng.choice(mine)}",
                        "Idempotency-Key": f"api-{'h' if hot else 'u'}-{n}-{done + errors}",
                    },
                )
                if response.status_code == 201:
                    done += 1
                else:
                    errors += 1
        with lock:
            counts["tips"] += done
            counts["errors"] += errors

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {**counts, "per_s": counts["tips"] / seconds}


def run_api_phases(
    db_url: str, var_dir: str, tokens: list[str], ids: dict[str, Any], args: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One `stagedoor web` process; uniform then hot tips over HTTP."""
    import httpx

    port = free_port()
    # The per-user tip limit (a protection, 300 a minute) is off here: this measures the ledger's throughput, with
    # a few clients each sending far more tips than any person would.
    env = dict(
        os.environ,
        STAGEDOOR_DATABASE_URL=db_url,
        STAGEDOOR_VAR_DIR=var_dir,
        STAGEDOOR_LOG_LEVEL="WARNING",
        STAGEDOOR_RATE_LIMITS="tip=off",
    )
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/stagedoor"), "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("stagedoor web did not start")
        api_uniform = run_api(tokens, ids, port, hot=False, seconds=args.seconds, clients=args.clients)
        log(f"api uniform:     {api_uniform}")
        api_hot = run_api(tokens, ids, port, hot=True, seconds=args.seconds, clients=args.clients)
        log(f"api hot:         {api_hot}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return api_uniform, api_hot


# --------------------------------------------------------------------------- pgbench


def run_pgbench(url: str, *, seconds: float, clients: int) -> float:
    name = f"stagedoor_pgbench_{os.getpid()}"
    parts = urlparse(url)
    env = dict(os.environ)
    if parts.password:
        env["PGPASSWORD"] = parts.password
    base = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin(url, f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            ["pgbench", *base, "-i", "-s", "10", "-q", name], check=True, env=env, capture_output=True, timeout=300
        )
        result = subprocess.run(
            ["pgbench", *base, "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(int(seconds)), "-n", name],
            check=True,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds + 120,
        )
        match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout) or re.search(
            r"tps = ([0-9.]+)", result.stdout
        )
        if match is None:
            raise RuntimeError(f"cannot read pgbench output:\n{result.stdout}")
        return float(match.group(1))
    finally:
        admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------- main


def setup_data(clients: int) -> tuple[dict[str, Any], list[str]]:
    from stagedoor.accounts.models import User
    from stagedoor.accounts.services import api_token_create
    from stagedoor.core.ids import new_id
    from stagedoor.wallet import services

    performers = User.objects.bulk_create(
        [User(login=f"bp{i}", email=f"bp{i}@bench.test", role="performer") for i in range(PERFORMERS)]
    )
    from stagedoor.verification.testing import give_approved_identity

    give_approved_identity(performers)  # performers are paid only with a verified identity
    viewers = User.objects.bulk_create(
        [User(login=f"bv{i}", email=f"bv{i}@bench.test", role="viewer") for i in range(VIEWERS)]
    )
    for viewer in viewers:
        services.purchase_credit(
            buyer=viewer, tokens=FUNDS, purchase_id=new_id(), price_minor=FUNDS, currency="USD", provider="bench"
        )
    tokens = [api_token_create(user=viewer, name="bench")[1] for viewer in viewers[:100]]
    ids = {"performers": [p.pk for p in performers], "viewers": [v.pk for v in viewers], "clients": clients}
    return ids, tokens


def verify() -> tuple[int, list[str]]:
    from django.db.models import Sum

    from stagedoor.wallet.ledger import account_rollup_all
    from stagedoor.wallet.models import AccountKind, LedgerAccount, LedgerEntry, Tip
    from stagedoor.wallet.verify import LedgerProblem, ledger_verify

    problems = [str(p) for p in ledger_verify() if isinstance(p, LedgerProblem)]
    started = time.time()
    folded = account_rollup_all()
    log(f"rolled up {folded} pending deltas in {time.time() - started:.1f}s")
    problems += [str(p) for p in ledger_verify() if isinstance(p, LedgerProblem)]
    if LedgerAccount.objects.filter(kind=AccountKind.VIEWER_WALLET, balance__lt=0).exists():
        problems.append("a wallet is negative")
    if (LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] or 0) != 0:
        problems.append("entries do not sum to zero")
    wallets = LedgerAccount.objects.filter(kind=AccountKind.VIEWER_WALLET).aggregate(s=Sum("balance"))["s"] or 0
    tipped = Tip.objects.aggregate(s=Sum("amount"))["s"] or 0
    if wallets + tipped != VIEWERS * FUNDS:
        problems.append(f"tokens not accounted for: wallets {wallets} + tipped {tipped} != {VIEWERS * FUNDS}")
    return len(problems), problems


def drain_outbox(budget_s: float) -> float:
    """Dispatch deferred outbox events (tip.sent consumers) for up to `budget_s`; return events per second."""
    from stagedoor.core.outbox import outbox_sweep

    started = time.time()
    swept = 0
    while time.time() - started < budget_s and (n := outbox_sweep(older_than_seconds=0, limit=200)):
        swept += n
    elapsed = time.time() - started
    log(f"dispatched {swept} deferred outbox events in {elapsed:.1f}s (the rest stay pending)")
    return swept / elapsed if elapsed else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-api", action="store_true", help="skip the HTTP API phases")
    args = parser.parse_args()
    url = os.environ.get("STAGEDOOR_DATABASE_URL", "")
    if urlparse(url).scheme not in {"postgres", "postgresql"}:
        sys.exit("bench/ledger.py needs STAGEDOOR_DATABASE_URL=postgres://…")
    if shutil.which("pgbench") is None:
        sys.exit("pgbench not found (apt-get install postgresql-client)")
    name = f"stagedoor_bench_{os.getpid()}"
    db_url = with_database(url, name)
    var_dir = tempfile.mkdtemp(prefix="stagedoor-bench-")
    admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin(url, f'CREATE DATABASE "{name}"')
    try:
        django_setup(db_url, var_dir)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        ids, tokens = setup_data(args.clients)
        with connections["default"].cursor() as cursor:
            cursor.execute("ANALYZE")
        connections.close_all()
        log(f"set up {VIEWERS} viewers, {PERFORMERS} performers; {args.clients} clients, {args.seconds:.0f}s per phase")

        uniform = run_service(db_url, var_dir, ids, hot=False, seconds=args.seconds, clients=args.clients)
        log(f"service uniform: {uniform}")
        hot = run_service(db_url, var_dir, ids, hot=True, seconds=args.seconds, clients=args.clients)
        log(f"service hot:     {hot}")

        api_uniform = api_hot = {"tips": 0, "errors": 0, "per_s": 0.0}
        if not args.no_api:
            api_uniform, api_hot = run_api_phases(db_url, var_dir, tokens, ids, args)
        pgbench_tps = run_pgbench(url, seconds=args.seconds, clients=args.clients)
        log(f"pgbench tps:     {pgbench_tps:.1f}")

        violations, problems = verify()
        for problem in problems[:20]:
            log(f"VIOLATION {problem}")
        outbox_rate = drain_outbox(10.0)
        connections.close_all()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)

    result = {
        "tips_per_s_service": round(uniform["per_s"], 1),
        "tips_per_s_api": round(api_uniform["per_s"], 1),
        "hot_vs_uniform": round(hot["per_s"] / uniform["per_s"], 3) if uniform["per_s"] else 0.0,
        "pgbench_tps": round(pgbench_tps, 1),
        "ratio_vs_pgbench": round(uniform["per_s"] / pgbench_tps, 3) if pgbench_tps else 0.0,
        "invariant_violations": violations,
        "tips_per_s_service_hot": round(hot["per_s"], 1),
        "tips_per_s_api_hot": round(api_hot["per_s"], 1),
        "api_hot_vs_uniform": round(api_hot["per_s"] / api_uniform["per_s"], 3) if api_uniform["per_s"] else 0.0,
        "outbox_dispatch_per_s": round(outbox_rate, 1),
        "service_errors": uniform["errors"] + hot["errors"],
        "api_errors": api_uniform["errors"] + api_hot["errors"],
        "clients": args.clients,
        "seconds_per_phase": args.seconds,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
