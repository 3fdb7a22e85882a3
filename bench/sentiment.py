"""Chat sentiment benchmark: how fast the offline model (VADER from the `vadersentiment` package) scores chat lines,
the cost that dominates a sentiment pass (the pass itself is one indexed range read and one upsert per room-hour).

    .venv/bin/python bench/sentiment.py [--lines 50000] [--batch 5000]

Synthetic chat lines (invented words and phrases, emoji, mixed moods) are tallied in batches the size the pass
uses. Last line: one JSON object with lines_per_s (goal >= 1,000 on one core: 1,000 chatters each writing a
line every 10 s each needs 100/s), batch_ms_p95 and the load time of the model.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stagedoor.analytics.sentiment_model import load_model

WORDS = [
    "love", "great", "amazing", "hate", "boring", "terrible", "hello", "show", "tonight", "lol", "wow", "nice",
    "music", "song", "cute", "bad", "sad", "happy", "not", "very", "really", "so", "the", "stream", "camera",
    "lag", "awesome", "ugh", "😍", "😂", "👍", "🙁", "!!!", "?", "GREAT", "meh", "ok", "thanks", "beautiful",
]  # fmt: skip


def lines(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 14))) for _ in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=5_000)
    args = parser.parse_args()
    started = time.perf_counter()
    model = load_model()
    load_ms = (time.perf_counter() - started) * 1000
    texts = lines(args.lines)
    batches: list[float] = []
    total = 0
    started = time.perf_counter()
    for i in range(0, len(texts), args.batch):
        t0 = time.perf_counter()
        total += model.tally(texts[i : i + args.batch]).messages
        batches.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - started
    p95 = statistics.quantiles(batches, n=20)[-1] if len(batches) > 1 else batches[0]
    print(
        json.dumps(
            {
                "bench": "sentiment",
                "lines": total,
                "batch": args.batch,
                "lines_per_s": round(total / elapsed),
                "batch_ms_p95": round(p95, 1),
                "model_load_ms": round(load_ms, 1),
                "model": model.source,
            }
        )
    )


if __name__ == "__main__":
    main()
