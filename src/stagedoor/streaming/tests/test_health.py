from prometheus_client import REGISTRY

from stagedoor.streaming.health import ProgressParser, compute_health, export_health, forget_room
from stagedoor.streaming.inspector import MediaStats, Warning_

BLOCK = """frame=300
fps=30.00
stream_0_1_q=23.0
bitrate=N/A
out_time_us=10000000
dup_frames=0
drop_frames=4
speed=0.87x
progress=continue
"""


def test_progress_block_is_parsed() -> None:
    parser = ProgressParser()
    results = [parser.feed_line(line) for line in BLOCK.splitlines()]
    assert results[:-1] == [None] * 8
    p = results[-1]
    assert p is not None
    assert (p.frame, p.fps, p.speed, p.drop_frames, p.out_time_s, p.ended) == (300, 30.0, 0.87, 4, 10.0, False)


def test_health_adds_slow_encoder_warning_and_exports_metrics() -> None:
    parser = ProgressParser()
    for line in BLOCK.replace("out_time_us=10000000", "out_time_us=20000000").splitlines():
        parser.feed_line(line)
    stats = MediaStats(width=1280, height=720, bitrate_kbps=2500.0, fps=30.0, keyframe_interval_s=1.0)
    warn = {"bitrate_over_cap": Warning_("bitrate_over_cap", "too much")}
    h = compute_health(
        room="r-health",
        state="live",
        uptime_s=12.34,
        stats=stats,
        warnings=warn,
        progress=parser.latest,
        restarts=1,
        rungs=["src", "480p"],
    )
    assert [w["code"] for w in h.warnings] == ["bitrate_over_cap", "transcoder_slow"]
    assert h.dropped_frames == 4 and h.encoder_speed == 0.87 and h.uptime_s == 12.3
    export_health(h)
    assert REGISTRY.get_sample_value("stagedoor_stream_input_bitrate_kbps", {"room": "r-health"}) == 2500.0
    assert REGISTRY.get_sample_value("stagedoor_stream_warnings", {"room": "r-health", "code": "transcoder_slow"}) == 1
    forget_room("r-health")
    assert REGISTRY.get_sample_value("stagedoor_stream_input_bitrate_kbps", {"room": "r-health"}) is None
