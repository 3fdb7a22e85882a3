"""Ad decisions: how many a core makes, and how many the slot endpoint serves over HTTP.

    .venv/bin/python bench/growth_ads.py [--seconds 3] [--http-seconds 6] [--clients 4] [--no-http]

1. ``ad_decisions_per_s_per_core``: the pure decision (`ads.decision.decide`) on one thread over an index of
   ``CAMPAIGNS`` campaigns with realistic targeting (a third by region, some by device, language, room category,
   slot; a third frequency-capped; some scheduled by hour), for requests drawn from a pool that mixes countries,
   devices, languages and categories the way a directory's traffic does, each with the viewer's caps of the day.
2. ``ad_decisions_per_s_http``: ``GET /api/v1/ads/slots/<slot>`` — what a page calls — against one
   ``stagedoor web`` process (uvicorn, the embedded SQLite default, migrated fresh in a temporary directory), the
   same number of campaigns in the database, ``--clients`` keep-alive client threads, anonymous viewers with
   varied user agents, languages and countries (the country from a CDN header, `STAGEDOOR_GEO_HEADER`). This path
   includes the middleware, the ad-free check, reading and reserving frequency caps (a database write for capped
   campaigns) and signing two tokens.

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from stagedoor.ads.decision import AdIndex, AdRequest, CampaignEntry, CreativeEntry, decide  # noqa: E402

CAMPAIGNS = 400
REQUESTS = 20_000
VIEWERS = 2_000
COUNTRIES = ["DE", "US", "GB", "FR", "NL", "AT", "CH", "ES", "IT", "PL", "SE", "BR", "CA", "AU", "JP", "MX"]
SUBDIVISIONS = {"US": ["US-TX", "US-CA", "US-NY", "US-FL"], "DE": ["DE-BY", "DE-BE"], "CA": ["CA-ON", "CA-QC"]}
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "pt", "sv", "ja"]
CATEGORIES = [f"tag{i}" for i in range(24)]
DEVICES = ["desktop", "mobile", "tablet"]
SLOTS = ["directory", "room"]
UAS = {
    "desktop": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "mobile": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
    "tablet": "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1",
}


def log(message: str) -> None:
    print(f"[ads-bench] {message}", file=sys.stderr, flush=True)


def campaign_specs(rng: random.Random, now: float) -> list[dict[str, Any]]:
    """Targeting as a sales team sets it: most campaigns target one or two dimensions, few none, few many."""
    specs = []
    for i in range(CAMPAIGNS):
        spec: dict[str, Any] = {
            "id": f"c{i:04d}",
            "weight": rng.choice([50, 100, 100, 200, 400]),
            "starts_at": now - 86_400,
            "ends_at": now + 30 * 86_400 if rng.random() < 0.5 else None,
            "hours": frozenset(range(rng.randrange(0, 12), 24)) if rng.random() < 0.15 else frozenset(),
            "slots": frozenset({rng.choice(SLOTS)}) if rng.random() < 0.4 else frozenset(),
            "regions": frozenset(rng.sample(COUNTRIES, rng.randint(1, 4)))
            | (frozenset(rng.sample(SUBDIVISIONS["US"], 1)) if rng.random() < 0.1 else frozenset())
            if rng.random() < 0.6
            else frozenset(),
            "devices": frozenset(rng.sample(DEVICES, rng.randint(1, 2))) if rng.random() < 0.3 else frozenset(),
            "categories": frozenset(rng.sample(CATEGORIES, rng.randint(1, 3))) if rng.random() < 0.35 else frozenset(),
            "languages": frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))) if rng.random() < 0.4 else frozenset(),
            "frequency_cap": rng.choice([3, 5, 10]) if rng.random() < 0.33 else 0,
        }
        specs.append(spec)
    return specs


def request_pool(rng: random.Random) -> list[tuple[AdRequest, int]]:
    pool = []
    for _ in range(REQUESTS):
        country = rng.choices(COUNTRIES, weights=[20, 25, 10, 6, 5, 4, 3, 5, 4, 3, 2, 4, 3, 2, 2, 2])[0]
        sub = rng.choice(SUBDIVISIONS[country]) if country in SUBDIVISIONS and rng.random() < 0.7 else ""
        request = AdRequest(
            slot=rng.choice(SLOTS),
            device=rng.choices(DEVICES, weights=[45, 45, 10])[0],
            country=country,
            subdivision=sub,
            language=rng.choice(LANGUAGES),
            categories=frozenset(rng.sample(CATEGORIES, rng.randint(0, 3))),
        )
        pool.append((request, rng.randrange(VIEWERS)))
    return pool


def bench_decide(seconds: float) -> dict[str, Any]:
    rng = random.Random(7)
    now = time.time()
    specs = campaign_specs(rng, now)
    creative = (CreativeEntry("k", "image", 728, 90, "banner"),)
    started = time.perf_counter()
    index = AdIndex([CampaignEntry(creatives=creative, **s) for s in specs])
    build_ms = (time.perf_counter() - started) * 1000
    capped = [s["id"] for s in specs if s["frequency_cap"]]
    caps = [{cid: rng.randint(0, 6) for cid in rng.sample(capped, min(len(capped), 12))} for _ in range(VIEWERS)]
    pool = request_pool(rng)
    pick = random.Random(11).random
    decisions = served = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for request, viewer in pool[:2000]:
            if decide(index, request, now=now, served_today=caps[viewer], rng=pick) is not None:
                served += 1
        decisions += 2000
        pool = pool[2000:] + pool[:2000]
    elapsed = time.perf_counter() - started
    matched = sum(bin(index.matching(r)).count("1") for r, _ in pool[:2000]) / 2000
    return {
        "ad_decisions_per_s_per_core": round(decisions / elapsed),
        "decide_us": round(elapsed / decisions * 1e6, 2),
        "fill_rate": round(served / decisions, 3),
        "campaigns": CAMPAIGNS,
        "targeting_matches_per_request": round(matched, 1),
        "index_build_ms": round(build_ms, 2),
    }


# --- over HTTP ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _schema_key() -> str:
    """The migrations' fingerprint: a migrated empty database is reused while no migration changes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "stagedoor").glob("*/migrations/*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def seed_database(var_dir: str) -> None:
    """A migrated SQLite database (copied from a cached empty one when the migrations are unchanged: migrating
    every app takes longer than the measurement) with the campaigns loaded (rows written in bulk: the bench
    measures serving, not 400 staff forms; the services' own tests cover set-up)."""
    os.environ.update(STAGEDOOR_VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="stagedoor.settings")
    os.environ.pop("STAGEDOOR_DATABASE_URL", None)
    os.environ.pop("STAGEDOOR_REDIS_URL", None)
    template = Path(tempfile.gettempdir()) / f"stagedoor-bench-ads-{_schema_key()}.sqlite3"
    target = Path(var_dir) / "stagedoor.sqlite3"
    if template.exists():
        shutil.copyfile(template, target)
    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from stagedoor.ads.models import Advertiser, Campaign, Creative, IndexVersion

    if not template.exists():
        call_command("migrate", verbosity=0)
        connections.close_all()
        shutil.copyfile(target, template)
    rng = random.Random(7)
    now = time.time()
    advertiser = Advertiser.objects.create(name="Bench Advertiser")
    campaigns, creatives = [], []
    for s in campaign_specs(rng, now):
        c = Campaign(
            advertiser=advertiser,
            name=s["id"],
            status=Campaign.Status.ACTIVE,
            pricing="cpm",
            price_micros=2_000_000,
            budget_micros=10**12,
            starts_at=timezone.now() - dt.timedelta(days=1),
            ends_at=timezone.now() + dt.timedelta(days=30) if s["ends_at"] else None,
            hours=sorted(s["hours"]),
            slots=sorted(s["slots"]),
            regions=sorted(s["regions"]),
            devices=sorted(s["devices"]),
            categories=sorted(s["categories"]),
            languages=sorted(s["languages"]),
            frequency_cap=s["frequency_cap"],
            weight=s["weight"],
        )
        campaigns.append(c)
        creatives.append(
            Creative(
                campaign=c,
                kind="html5",
                name="b",
                width=728,
                height=90,
                alt_text="A banner",
                click_url="https://advertiser.example/",
                html="<b>Bench</b>",
            )
        )
    Campaign.objects.bulk_create(campaigns)
    Creative.objects.bulk_create(creatives)
    IndexVersion.objects.create(pk=1, version=1)


def bench_http(seconds: float, clients: int) -> dict[str, Any]:
    import httpx

    var_dir = tempfile.mkdtemp(prefix="stagedoor-bench-ads-")
    started = time.perf_counter()
    seed_database(var_dir)
    log(f"migrated and seeded {CAMPAIGNS} campaigns in {time.perf_counter() - started:.1f}s")
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src"),
        STAGEDOOR_VAR_DIR=var_dir,
        STAGEDOOR_LOG_LEVEL="WARNING",
        STAGEDOOR_GEO_HEADER="CF-IPCountry",
    )
    env.pop("STAGEDOOR_DATABASE_URL", None)
    env.pop("STAGEDOOR_REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "stagedoor"), "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("stagedoor web did not start")
        rng = random.Random(3)
        plans = []
        for _ in range(4000):
            device = rng.choices(DEVICES, weights=[45, 45, 10])[0]
            cats = ",".join(rng.sample(CATEGORIES, rng.randint(0, 3)))
            headers = {
                "User-Agent": UAS[device] + f" v{rng.randrange(VIEWERS)}",  # a few thousand distinct viewers
                "Accept-Language": rng.choice(LANGUAGES),
                "CF-IPCountry": rng.choice(COUNTRIES),
            }
            plans.append(
                (f"{base}/api/v1/ads/slots/{rng.choice(SLOTS)}" + (f"?categories={cats}" if cats else ""), headers)
            )
        with httpx.Client() as warm:  # the first request builds the index
            warm.get(plans[0][0], headers=plans[0][1])
        counts = [0] * clients
        filled = [0] * clients
        errors = [0] * clients
        stop = threading.Event()

        def client(i: int) -> None:
            with httpx.Client(timeout=10) as http:
                n = i
                while not stop.is_set():
                    url, headers = plans[n % len(plans)]
                    n += clients
                    response = http.get(url, headers=headers)
                    if response.status_code != 200:
                        errors[i] += 1
                        continue
                    counts[i] += 1
                    filled[i] += response.json()["ad"] is not None

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(seconds)  # the measuring window (a benchmark, not a test)
        stop.set()
        for t in threads:
            t.join(30)
        elapsed = time.perf_counter() - started
        total = sum(counts)
        return {
            "ad_decisions_per_s_http": round(total / elapsed),
            "http_fill_rate": round(sum(filled) / total, 3) if total else 0.0,
            "http_errors": sum(errors),
            "http_clients": clients,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(seconds: float = 3.0, http_seconds: float = 6.0, clients: int = 4, http: bool = True) -> dict[str, Any]:
    result = bench_decide(seconds)
    log(f"decide: {result}")
    if http:
        figures = bench_http(http_seconds, clients)
        log(f"http: {figures}")
        result.update(figures)
    result["cpu_count"] = os.cpu_count()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--http-seconds", type=float, default=6.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--no-http", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.seconds, args.http_seconds, args.clients, not args.no_http)))


if __name__ == "__main__":
    main()
