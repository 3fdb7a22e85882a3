"""Growth benchmark: the three figures of the growth issue, each measured by its own script, in one run.

    STAGEDOOR_DATABASE_URL=postgres://postgres@127.0.0.1:5432/stagedoor .venv/bin/python bench/growth.py

1. `bench/growth_notifications.py`: a performer with 100,000 followers goes live; `golive_queued_s` is the time
   from the status change to every follower's notification queued, `golive_notifications_per_s` the rate.
2. `bench/growth_ads.py`: `ad_decisions_per_s_per_core` (the decision function over hundreds of campaigns with
   targeting, caps and budgets) beside `ad_decisions_per_s_http` (the slot endpoint a page calls).
3. `bench/growth_leaderboard.py`: `leaderboard_lag_ms_p99` — a tip accepted over HTTP until the contest's
   leaderboard, read the way its page reads it, shows it.

Each part runs as its own process, one after the other (so none shares the two cores with another), and prints its
figures as its last line; this script passes each part's output through and prints the parts' figures merged, with
`parts_failed` naming any part that did not finish, as its last line (one JSON object).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PARTS = ("growth_notifications", "growth_ads", "growth_leaderboard")


def run_part(name: str) -> dict[str, Any] | None:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(HERE / f"{name}.py")], capture_output=True, text=True, check=False)
    sys.stderr.write(proc.stderr)
    lines = proc.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(f"[{name}] {line}", flush=True)
    print(f"[growth] {name}: exit {proc.returncode} in {time.monotonic() - started:.1f}s", flush=True)
    if proc.returncode != 0 or not lines:
        return None
    try:
        figures = json.loads(lines[-1])
    except json.JSONDecodeError:
        return None
    return figures if isinstance(figures, dict) else None


def main() -> int:
    merged: dict[str, Any] = {}
    failed = []
    for name in PARTS:
        figures = run_part(name)
        if figures is None:
            failed.append(name)
        else:
            merged.update(figures)
    merged["parts_failed"] = failed
    print(json.dumps(merged))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
