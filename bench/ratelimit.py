"""Rate-limiter benchmark: what one limit check costs on the request path.

    .venv/bin/python bench/ratelimit.py [--seconds 2] [--redis redis://127.0.0.1:6379/15]

Measured, one process, one thread, hits spread over 1,000 callers of one rule:

* ``cache_hits_per_s``: the in-process limiter (Django's local-memory cache, the embedded default).
* ``redis_hits_per_s`` and ``redis_p99_us``: the Redis limiter (one Lua script round trip per hit) against the
  Redis at ``--redis`` (skipped, reported as null, when it does not answer).

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
os.environ.setdefault("STAGEDOOR_VAR_DIR", "/tmp/stagedoor-bench-ratelimit")


def run(limiter: Any, seconds: float) -> tuple[float, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        limiter.hit(f"tip:u:{n % 1000}", limit=1_000_000, window_s=60)
        latencies.append(time.perf_counter() - started)
        n += 1
    latencies.sort()
    return n / seconds, latencies[int(len(latencies) * 0.99)] * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--redis", default=os.environ.get("STAGEDOOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    args = parser.parse_args()

    import django

    django.setup()
    import redis

    from stagedoor.accounts.ratelimit import CacheLimiter, RedisLimiter

    cache_rate, cache_p99 = run(CacheLimiter(), args.seconds)
    print(f"cache limiter: {cache_rate:,.0f} hits/s, p99 {cache_p99:.0f} µs", file=sys.stderr)
    result: dict[str, Any] = {"cache_hits_per_s": round(cache_rate), "cache_p99_us": round(cache_p99, 1)}
    client = redis.Redis.from_url(args.redis, socket_connect_timeout=1)
    prefix = f"bench-rl-{secrets.token_hex(4)}:"
    try:
        client.ping()
    except redis.RedisError as exc:
        print(f"no Redis at {args.redis}: {exc}", file=sys.stderr)
        result.update(redis_hits_per_s=None, redis_p99_us=None)
    else:
        try:
            redis_rate, redis_p99 = run(RedisLimiter(client, prefix=prefix), args.seconds)
        finally:
            keys = client.keys(prefix + "*")
            if keys:
                client.delete(*keys)
        print(f"redis limiter: {redis_rate:,.0f} hits/s, p99 {redis_p99:.0f} µs", file=sys.stderr)
        result.update(redis_hits_per_s=round(redis_rate), redis_p99_us=round(redis_p99, 1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
