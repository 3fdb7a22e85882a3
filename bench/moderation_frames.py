"""Frame scanning benchmark: one frame sample through the whole scan, on one thread.

Run: .venv/bin/python bench/moderation_frames.py [--seconds 5] [--listed 10000]
The last line printed is one JSON object:
  frames_per_s_per_core   scans per CPU-second of this process: JPEG bytes of a 720p test pattern
                          frame → decode → PDQ (8 rotations/mirrors + 2 uncrop stretches) → match
                          against ``listed`` hashes → NudeNet detector → room policy
  frames_per_s            scans per wall-clock second (the same single thread)
  decode_ms, pdq_ms, match_ms, detector_ms, policy_ms   mean time per stage
  listed, jpeg_bytes, seconds

``bench/moderation.py`` imports :func:`measure_frames`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def pattern_jpeg(size: str = "1280x720") -> bytes:
    """One testsrc2 frame as the transcoder writes samples (MJPEG, ``-q:v 4``)."""
    from stagedoor.streaming.ingest import ffmpeg_binary

    argv = [ffmpeg_binary(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=1"]
    argv += ["-frames:v", "1", "-c:v", "mjpeg", "-q:v", "4", "-f", "image2pipe", "-"]
    return subprocess.run(argv, capture_output=True, check=True, timeout=60).stdout


def random_hash_rows(count: int, seed: int = 7) -> list[tuple[str, str, str, str]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    words = rng.integers(0, 2**64, size=(count, 4), dtype=np.uint64)
    kinds = ("prohibited", "removed", "leaked")
    return [(f"bench-{kinds[i % 3]}", kinds[i % 3], words[i].tobytes().hex(), f"ref-{i}") for i in range(count)]


def measure_frames(seconds: float = 5, listed: int = 10_000) -> dict[str, float]:
    import cv2

    from stagedoor.moderation.frames.analysis import FrameAnalyzer
    from stagedoor.moderation.frames.detector import NudityDetector
    from stagedoor.moderation.frames.pdq import HashIndex
    from stagedoor.moderation.frames.policy import RoomPolicy

    cv2.setNumThreads(1)  # as the scanner runs: one thread per scan
    jpeg = pattern_jpeg()
    analyzer = FrameAnalyzer(NudityDetector(), HashIndex(random_hash_rows(listed)))
    room = RoomPolicy(non_nude=True, restricted_regions=("DE",))
    for _ in range(5):  # warm up (onnxruntime allocates on the first runs)
        analyzer.analyse(jpeg, room, "bench-room")
    stages: dict[str, list[float]] = {}
    frames = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - wall0 < seconds:
        result = analyzer.analyse(jpeg, room, "bench-room")
        assert not result.flags and not result.matches  # a test pattern breaks no rule and is not listed
        for stage, spent in result.timings.items():
            stages.setdefault(stage, []).append(spent)
        frames += 1
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    out: dict[str, float] = {
        "frames_per_s_per_core": round(frames / cpu, 1),
        "frames_per_s": round(frames / wall, 1),
    }
    for stage in ("decode", "pdq", "match", "detector", "policy"):
        out[f"{stage}_ms"] = round(statistics.fmean(stages[stage]) * 1000, 3)
    out.update({"listed": listed, "jpeg_bytes": len(jpeg), "seconds": round(wall, 2)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--listed", type=int, default=10_000)
    args = parser.parse_args()
    print(json.dumps(measure_frames(args.seconds, args.listed)))


if __name__ == "__main__":
    main()
