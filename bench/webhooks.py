"""Webhook delivery benchmark: how fast events reach healthy endpoints, alone and beside a slow one.

    .venv/bin/python bench/webhooks.py [--events 60] [--timeout 1.0]

SQLite in a temporary var dir; receivers are real HTTP servers on loopback that verify every signature. Three
healthy endpoints (answering at once) and, in the second run, a fourth that never answers within the timeout.
Each run: `--events` tips' worth of events emitted, then one `deliver_due` (concurrency 8, at most 2 in flight per
endpoint). Reported: deliveries per second to the healthy endpoints in each run (counted until the last healthy delivery), and
their ratio — close to 1 when a slow endpoint holds only its own two workers. Bounded in time (well under a minute on a quiet machine).
The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(events_n: int, *, slow: bool, tag: str) -> dict[str, float]:
    from django.contrib.auth import get_user_model

    from stagedoor.webhooks import events, services
    from stagedoor.webhooks.models import Delivery
    from stagedoor.webhooks.tests.receiver import running_receiver

    User = get_user_model()
    performer = User.objects.create_user(f"bench{tag}", f"bench{tag}@example.test", None, role="performer")
    performer.mfa_enabled, performer.totp_secret = True, "JBSWY3DPEHPK3PXP"  # an invented TOTP secret
    performer.save(update_fields=["mfa_enabled", "totp_secret"])
    gen = running_receiver()
    receiver = next(gen)
    receiver.slow_s = 30.0
    try:
        paths = ["/a", "/b", "/c", "/slow"] if slow else ["/a", "/b", "/c"]
        for path in paths:
            _endpoint, secret = services.endpoint_create(
                actor=performer, scope="performer", url=receiver.url(path), event_types=[events.TIP_RECEIVED]
            )
            receiver.secrets[path] = secret
        receiver.script("/slow", "slow")
        for n in range(events_n):
            services.event_emit(
                type=events.TIP_RECEIVED, performer_id=str(performer.pk), data={"amount": n}, key=f"{tag}-{n}"
            )
        from django.db.models import Max
        from django.utils import timezone

        started_at = timezone.now()
        started = time.perf_counter()
        services.deliver_due()
        total = time.perf_counter() - started
        last = Delivery.objects.filter(endpoint__url__regex=r"/[abc]$", endpoint__owner=performer).aggregate(
            m=Max("delivered_at")
        )["m"]
        elapsed = (last - started_at).total_seconds()  # until the last healthy delivery, not the slow one's end
        healthy = [r for p in ("/a", "/b", "/c") for r in receiver.on(p)]
        assert all(r.verified for r in healthy), "a signature did not verify"
        delivered = Delivery.objects.filter(endpoint__owner=performer, status="succeeded").count()
        assert delivered == len(healthy) == 3 * events_n, (delivered, len(healthy))
        return {
            "seconds": elapsed,
            "total_seconds": total,
            "healthy_per_s": len(healthy) / elapsed,
            "slow_attempts": len(receiver.on("/slow")),
        }
    finally:
        receiver.release.set()
        gen.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="webhooks-bench-")
    env = dict(os.environ)
    env.update(
        STAGEDOOR_VAR_DIR=var_dir,
        STAGEDOOR_LOG_LEVEL="WARNING",
        STAGEDOOR_WEBHOOKS_ALLOWED_NETWORKS="127.0.0.1/32",
        STAGEDOOR_WEBHOOKS_TIMEOUT_S=str(args.timeout),
        STAGEDOOR_WEBHOOKS_BACKOFF_BASE_S="3600",
        STAGEDOOR_WEBHOOKS_BACKOFF_MAX_S="3600",
        STAGEDOOR_WEBHOOKS_DISABLE_AFTER_FAILURES="10000",
        STAGEDOOR_EMAIL_URL=f"file://{var_dir}/mail",
    )
    env.pop("STAGEDOOR_DATABASE_URL", None)
    env.pop("STAGEDOOR_REDIS_URL", None)
    os.environ.update(env)
    for key in ("STAGEDOOR_DATABASE_URL", "STAGEDOOR_REDIS_URL"):
        os.environ.pop(key, None)
    stagedoor = Path(sys.executable).parent / "stagedoor"
    subprocess.run([str(stagedoor), "migrate", "--no-input"], env=env, check=True, stdout=subprocess.DEVNULL)
    if not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(ROOT / "src"))
    from stagedoor.core.config import use_stagedoor_settings

    use_stagedoor_settings()
    import django

    django.setup()

    from stagedoor.core import jobs

    jobs.enqueue = lambda name, *a: None  # emitting must not send: the timed deliver_due below does
    alone = run(args.events, slow=False, tag="alone")
    log(f"healthy alone: {alone['healthy_per_s']:.0f} deliveries/s in {alone['seconds']:.2f} s")
    beside = run(args.events, slow=True, tag="beside")
    log(
        f"beside a slow endpoint: {beside['healthy_per_s']:.0f} deliveries/s in {beside['seconds']:.2f} s "
        f"({beside['slow_attempts']:.0f} attempts to it timed out)"
    )
    print(
        json.dumps(
            {
                "events": args.events,
                "healthy_endpoints": 3,
                "timeout_s": args.timeout,
                "healthy_deliveries_per_s_alone": round(alone["healthy_per_s"], 1),
                "healthy_deliveries_per_s_beside_slow": round(beside["healthy_per_s"], 1),
                "ratio": round(beside["healthy_per_s"] / alone["healthy_per_s"], 2),
                "slow_attempts_timed_out": int(beside["slow_attempts"]),
                "seconds_alone": round(alone["seconds"], 2),
                "seconds_beside_slow": round(beside["seconds"], 2),
                "seconds_until_the_slow_one_gave_up": round(beside["total_seconds"], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
