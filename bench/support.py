"""Support desk benchmark: the customer timeline, the queue page and inbound mail through the SMTP listener.

    .venv/bin/python bench/support.py [--events 100000] [--open-tickets 50000] [--mails 300] [--requests 200]

Runs on a scratch SQLite database in a temporary var dir (never your own).

1. Seeds one performer with `--events` entries across apps (purchases, tips, tickets, agents' notes, stream
   sessions, moderation cases; bulk inserts straight into the tables: the benchmark measures reading them) and
   `--open-tickets` open tickets in all (the performer's included), spread over queues and priorities.
2. Starts `stagedoor web` (uvicorn) and, with a tier-2 agent's API token, GETs
   /api/v1/support/people/<id>/timeline (50 newest entries from every provider the role may read) and
   /api/v1/support/queue?page=N (random pages of the agent's queues), `--requests` times each, one at a time.
3. Starts the SMTP listener (the same `support.smtp.start_listener` that `stagedoor run` starts) in this process and
   sends `--mails` mails from 4 client threads with smtplib, each from its own address; the clock stops when the
   last one is a ticket in the database.

Last line: one JSON object with timeline_p95_ms (goal <= 200), queue_page_p95_ms (goal <= 150) and
inbound_mails_per_s (reported), plus their parts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOMAIN = "support.bench.invalid"


def log(message: str) -> None:
    print(f"[support-bench] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def seed(events: int, open_tickets: int) -> tuple[str, str, str]:
    """(subject id, agent API token, agent id)."""
    import pyotp
    from django.utils import timezone

    from stagedoor.accounts.models import User
    from stagedoor.accounts.services import api_token_create
    from stagedoor.core.ids import new_id
    from stagedoor.moderation.models import Case
    from stagedoor.payments.models import Purchase
    from stagedoor.rooms.services import room_for_performer
    from stagedoor.support.models import PRIORITY_RANK, CustomerNote, Ticket
    from stagedoor.verification.models import Broadcast
    from stagedoor.wallet.models import LedgerTransfer, Tip

    now = timezone.now()
    subject = User.objects.create_user("bench_nova", "nova@bench.test", "bench-password-123", role="performer")
    fan = User.objects.create_user("bench_fan", "fan@bench.test", "bench-password-123", role="viewer")
    agent = User.objects.create_user(
        "bench_agent",
        "agent@bench.test",
        "bench-password-123",
        role="support_l2",
        mfa_enabled=True,
        totp_secret=pyotp.random_base32(),
    )
    room = room_for_performer(performer=subject)
    rng = random.Random(7)
    share = {"purchases": 0.3, "tips": 0.2, "tickets": 0.15, "notes": 0.1, "broadcasts": 0.15, "cases": 0.1}
    counts = {k: int(events * v) for k, v in share.items()}
    counts["purchases"] += events - sum(counts.values())

    def at(i: int) -> Any:
        return now - timedelta(minutes=i * 3 + rng.randint(0, 2))

    batch = 5000
    log(f"seeding {events} events: {counts}")
    Purchase.objects.bulk_create(
        [
            Purchase(id=new_id(), buyer=subject, tokens=100, price_minor=999, currency="EUR", provider="sandbox",
                     idempotency_key=f"bench-{i}", request_hash="x", status="completed", created_at=at(i))
            for i in range(counts["purchases"])
        ],
        batch_size=batch,
    )  # fmt: skip
    transfers = [
        LedgerTransfer(id=new_id(), kind="tip", idempotency_key=f"bench-tip-{i}", request_hash="x", created_at=at(i))
        for i in range(counts["tips"])
    ]
    LedgerTransfer.objects.bulk_create(transfers, batch_size=batch)
    Tip.objects.bulk_create(
        [
            Tip(id=new_id(), transfer=t, sender=fan if i % 2 else subject, performer=subject if i % 2 else fan, amount=10,
                performer_amount=6, platform_amount=4, created_at=t.created_at)
            for i, t in enumerate(transfers)
        ],
        batch_size=batch,
    )  # fmt: skip
    CustomerNote.objects.bulk_create(
        [
            CustomerNote(id=new_id(), subject=subject, author=agent, body=f"note {i}", created_at=at(i))
            for i in range(counts["notes"])
        ],
        batch_size=batch,
    )
    Broadcast.objects.bulk_create(
        [Broadcast(id=new_id(), room_id=room.pk, performer=subject, stage_name="Nova", started_at=at(i), ended_at=at(i) + timedelta(minutes=50)) for i in range(counts["broadcasts"])],
        batch_size=batch,
    )  # fmt: skip
    Case.objects.bulk_create(
        [Case(id=new_id(), source="staff", category="spam", severity="low", severity_rank=3, status="decided", subject=subject,
              due_at=at(i), created_at=at(i)) for i in range(counts["cases"])],
        batch_size=batch,
    )  # fmt: skip
    queues = ["l1", "l1", "l1", "l2", "finance", "compliance"]
    priorities = ["urgent", "high", "normal", "normal", "low"]

    def ticket(i: int, requester: Any) -> Ticket:
        priority = rng.choice(priorities)
        created = at(i)
        return Ticket(
            id=new_id(), requester=requester, requester_email=f"person{i}@bench.test", subject=f"Bench ticket {i}", category="technical",
            priority=priority, priority_rank=PRIORITY_RANK[priority], queue=rng.choice(queues), status=rng.choice(["new", "open", "pending"]),
            created_at=created, first_response_due=created + timedelta(hours=8), resolution_due=created + timedelta(days=2),
        )  # fmt: skip

    Ticket.objects.bulk_create([ticket(i, subject) for i in range(counts["tickets"])], batch_size=batch)
    Ticket.objects.bulk_create([ticket(i, None) for i in range(counts["tickets"], open_tickets)], batch_size=batch)
    _, token = api_token_create(user=agent, name="bench")
    return str(subject.pk), token, str(agent.pk)


def start_web(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    import httpx

    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/stagedoor"), "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(Path(env["STAGEDOOR_VAR_DIR"]) / "web.log", "wb"),  # noqa: SIM115
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("stagedoor web did not start: " + (Path(env["STAGEDOOR_VAR_DIR"]) / "web.log").read_text()[-2000:])


def timed_gets(client: Any, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url}: {response.status_code} {response.text[:300]}")
    return times


def smtp_bench(mails: int) -> dict[str, Any]:
    from stagedoor.support.models import Ticket
    from stagedoor.support.smtp import start_listener

    loop = asyncio.new_event_loop()
    holder: dict[str, Any] = {}
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        holder["server"] = loop.run_until_complete(
            start_listener("127.0.0.1", 0, domain=DOMAIN, max_bytes=10 * 1024 * 1024)
        )
        ready.set()
        loop.run_forever()

    threading.Thread(target=serve, daemon=True).start()
    ready.wait(10)
    port = holder["server"].sockets[0].getsockname()[1]
    before = Ticket.objects.filter(channel="email").count()

    def client(indices: list[int]) -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as smtp:
            for i in indices:
                mail = EmailMessage()
                mail["From"] = f"Person {i} <sender{i}@mail.bench.test>"
                mail["To"] = f"support@{DOMAIN}"
                mail["Subject"] = f"My stream stutters ({i})"
                mail["Message-ID"] = f"<bench-{i}@mail.bench.test>"
                mail.set_content("Since the last update my stream stutters every few seconds. " * 5)
                smtp.send_message(mail)

    shares = [list(range(k, mails, 4)) for k in range(4)]
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(s,)) for s in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 120
    while Ticket.objects.filter(channel="email").count() - before < mails and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    made = Ticket.objects.filter(channel="email").count() - before
    loop.call_soon_threadsafe(holder["server"].close)
    loop.call_soon_threadsafe(loop.stop)
    return {
        "mails": mails,
        "tickets_made": made,
        "seconds": round(elapsed, 2),
        "inbound_mails_per_s": round(made / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--open-tickets", type=int, default=50_000)
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="support-bench-")
    env = dict(os.environ)
    env.update(
        STAGEDOOR_VAR_DIR=var_dir, STAGEDOOR_LOG_LEVEL="WARNING", STAGEDOOR_SUPPORT_REPLY_DOMAIN=DOMAIN,
        STAGEDOOR_SUPPORT_SMTP_PORT="0", STAGEDOOR_EMAIL_URL=f"file://{var_dir}/mail",
    )  # fmt: skip
    env.pop("STAGEDOOR_DATABASE_URL", None)
    env.pop("STAGEDOOR_REDIS_URL", None)
    os.environ.update(env)
    for key in ("STAGEDOOR_DATABASE_URL", "STAGEDOOR_REDIS_URL"):
        os.environ.pop(key, None)
    subprocess.run(
        [str(ROOT / ".venv/bin/stagedoor"), "migrate", "--no-input"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    sys.path.insert(0, str(ROOT / "src"))
    from stagedoor.core.config import use_stagedoor_settings

    use_stagedoor_settings()
    import django

    django.setup()
    started = time.perf_counter()
    subject_id, token, _agent = seed(args.events, args.open_tickets)
    log(f"seeded in {time.perf_counter() - started:.1f} s")

    import httpx

    port = free_port()
    server = start_web(port, env)
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            timeline_url = f"/api/v1/support/people/{subject_id}/timeline?limit=50"
            timed_gets(client, [timeline_url] * 5)  # warm-up
            entries = len(client.get(timeline_url).json()["entries"])
            timeline = timed_gets(client, [timeline_url] * args.requests)
            pages = client.get("/api/v1/support/queue").json()["pages"]
            rng = random.Random(3)
            queue_urls = [f"/api/v1/support/queue?page={rng.randint(1, pages)}" for _ in range(args.requests)]
            timed_gets(client, queue_urls[:5])
            queue = timed_gets(client, queue_urls)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log(
        f"timeline p50 {pct(timeline, 0.5)} ms p95 {pct(timeline, 0.95)} ms; queue p95 {pct(queue, 0.95)} ms over {pages} pages"
    )
    inbound = smtp_bench(args.mails)
    log(f"inbound: {inbound}")
    result = {
        "timeline_p95_ms": pct(timeline, 0.95),
        "timeline_p50_ms": pct(timeline, 0.5),
        "timeline_entries": entries,
        "events": args.events,
        "queue_page_p95_ms": pct(queue, 0.95),
        "queue_page_p50_ms": pct(queue, 0.5),
        "queue_pages": pages,
        "open_tickets": args.open_tickets,
        "inbound_mails_per_s": inbound["inbound_mails_per_s"],
        "inbound": inbound,
        "database": "sqlite",
        "goals": {"timeline_p95_ms": 200, "queue_page_p95_ms": 150},
    }
    from stagedoor.core import jobs

    jobs.wait_idle()  # the tickets' outbox events are dispatched by this process's job thread
    shutil.rmtree(var_dir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
