"""Prometheus metrics for frame scanning. Node-level (no room label: rooms are unbounded)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SAMPLES = Counter(
    "stagedoor_moderation_frame_samples_total",
    "Frame samples by outcome (scanned, skipped by sampling, dropped under overload, undecodable, failed, "
    "after_end: queued from a stream already ended)",
    ["outcome"],
)
SCAN_SECONDS = Histogram(
    "stagedoor_moderation_frame_scan_seconds",
    "Time per frame scan stage (decode, pdq, match, detector, policy)",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.5),
)
FLAGS = Counter("stagedoor_moderation_frame_flags_total", "Room policy breaches seen in frames", ["category"])
HASH_MATCHES = Counter("stagedoor_moderation_hash_matches_total", "Frames matching a hash list", ["kind"])
STREAMS_ENDED = Counter("stagedoor_moderation_streams_ended_total", "Streams ended for a prohibited-list match")
QUEUE = Gauge("stagedoor_moderation_frame_queue", "Frame samples waiting to be scanned")
HASHES_LISTED = Gauge("stagedoor_moderation_hashes_listed", "Hashes in the loaded lists", ["kind"])
