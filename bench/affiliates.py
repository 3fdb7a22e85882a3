"""Affiliates benchmark: referral clicks through the whole page stack, and signed postbacks to a tracker.

    .venv/bin/python bench/affiliates.py [--clicks 600] [--postbacks 60]

Runs on a scratch SQLite database in a temporary var dir (never your own), in this process (Django's test client:
every middleware, the rate limit off).

1. `--clicks` GETs of /ref/<code>, each from a new address (a counted click: one INSERT), then as many from ONE
   address (a flood: the unique row refuses the insert and the click is looked up), one at a time.
2. `--postbacks` postbacks queued and delivered to a tracker on loopback (a threaded HTTP server that verifies
   each signature), one at a time, as the delivery job does.

Last line: one JSON object: clicks_per_s (new addresses), flood_clicks_per_s (one address), click_p95_ms,
postbacks_per_s, and counts that prove nothing was double-counted (clicks_counted == clicks, flood_counted == 1).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[affiliates-bench] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def tracker(secret_box: dict[str, str], verified: list[bool]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = dict(p.split("=", 1) for p in self.headers.get("Stagedoor-Signature", "").split(","))
            mac = hmac.new(secret_box["secret"].encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
            verified.append(hmac.compare_digest(mac, parts.get("v1", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clicks", type=int, default=600)
    parser.add_argument("--postbacks", type=int, default=60)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="stagedoor-affiliates-bench-"))
    os.environ.update(
        STAGEDOOR_VAR_DIR=str(var),
        DJANGO_SETTINGS_MODULE="stagedoor.settings",
        STAGEDOOR_RATE_LIMITS="referral_click=off",
        STAGEDOOR_LOG_LEVEL="WARNING",
    )
    os.environ.pop("STAGEDOOR_DATABASE_URL", None)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.STAGEDOOR_JOBS_BACKEND = "immediate"
    log("migrating a scratch database")
    call_command("migrate", verbosity=0)
    from stagedoor.accounts.models import User
    from stagedoor.affiliates import services
    from stagedoor.affiliates.models import Affiliate, Click, Postback

    finance = User.objects.create_user("bench_fin", "fin@bench.invalid", "x" * 20, role="finance")
    partner_user = User.objects.create_user("bench_partner", "p@bench.invalid", "x" * 20, role="viewer")
    plan = services.plan_create(actor=finance, name="Bench", kind="revshare", share_bp=2500, months=3)
    affiliate = services.affiliate_create(actor=finance, user=partner_user, plan_id=plan.pk, code="benchco")
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    client = Client()

    log(f"{args.clicks} clicks from new addresses")
    took: list[float] = []
    started = time.perf_counter()
    for i in range(args.clicks):
        t = time.perf_counter()
        response = client.get(
            "/ref/benchco", REMOTE_ADDR=f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}", HTTP_USER_AGENT=ua
        )
        took.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 302
    new_rate = args.clicks / (time.perf_counter() - started)
    counted = Click.objects.count()

    log(f"{args.clicks} clicks from one address")
    flood_took: list[float] = []
    started = time.perf_counter()
    for _ in range(args.clicks):
        t = time.perf_counter()
        response = client.get("/ref/benchco", REMOTE_ADDR="192.0.2.200", HTTP_USER_AGENT=ua)
        flood_took.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 302
    flood_rate = args.clicks / (time.perf_counter() - started)
    flood_counted = Click.objects.count() - counted

    log(f"{args.postbacks} postbacks")
    box: dict[str, str] = {}
    verified: list[bool] = []
    server = tracker(box, verified)
    services.affiliate_postback_set(affiliate=affiliate, postback_url=f"http://127.0.0.1:{server.server_address[1]}/pb")
    affiliate = Affiliate.objects.get(pk=affiliate.pk)
    box["secret"] = affiliate.postback_secret
    from stagedoor.core import jobs

    jobs.enqueue = lambda *a: None  # queue only: the deliveries below are the timed part
    ids = [
        services.postback_queue(affiliate=affiliate, event="bench", key=str(i), data={"n": i}).pk  # type: ignore[union-attr]
        for i in range(args.postbacks)
    ]
    started = time.perf_counter()
    for postback_id in ids:
        services.postback_deliver(postback_id=postback_id)
    postback_rate = args.postbacks / (time.perf_counter() - started)
    delivered = Postback.objects.filter(status="delivered").count()
    server.shutdown()
    print(
        json.dumps(
            {
                "clicks_per_s": round(new_rate, 1),
                "flood_clicks_per_s": round(flood_rate, 1),
                "click_p95_ms": pct(took, 0.95),
                "flood_click_p95_ms": pct(flood_took, 0.95),
                "clicks": args.clicks,
                "clicks_counted": counted,
                "flood_counted": flood_counted,
                "postbacks_per_s": round(postback_rate, 1),
                "postbacks_delivered": delivered,
                "postbacks_verified_by_tracker": sum(verified),
            }
        )
    )


if __name__ == "__main__":
    main()
