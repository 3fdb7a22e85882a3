"""`IngestServer.end_stream`: trust & safety ends a live stream at once (no reconnect grace)."""

from __future__ import annotations

import subprocess

from stagedoor.streaming.rtmp.errors import PUBLISH_REJECTED

from .conftest import RunningIngest, live_push_args, pid_alive
from .rtmp_client import BlockingRTMPPublisher, wait_until

REASON = "ended by trust & safety: test"


def test_end_stream_disconnects_an_ffmpeg_publisher_and_goes_offline_without_grace(ingest: RunningIngest) -> None:
    push = subprocess.Popen(
        live_push_args(ingest.url("sk_good"), size="640x360", bitrate="800k", seconds=60),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: ("room-good", "live") in ingest.states, 20, "the stream to go live")
        stream = ingest.stream("room-good")
        assert stream is not None and stream.has_publisher
        pids = list(stream.pids)
        assert ingest.call(ingest.server.end_stream("room-good", REASON)) is True
        # the publisher was dropped: Debian's ffmpeg fails its next write and exits with an error
        assert push.wait(15) != 0
    finally:
        push.kill()
        push.wait(5)
    assert ingest.states == [("room-good", "starting"), ("room-good", "live"), ("room-good", "offline")]
    assert ingest.stream("room-good") is None and ingest.server.streams == {}
    assert not (ingest.media_root / "room-good").exists()
    wait_until(lambda: not any(pid_alive(p) for p in pids), 5, "the transcoder to exit")
    # ending it again, or a room with no stream, is a no-op
    assert ingest.call(ingest.server.end_stream("room-good", REASON)) is False
    assert ingest.call(ingest.server.end_stream("room-nobody", REASON)) is False
    assert ingest.states[-1] == ("room-good", "offline") and len(ingest.states) == 3


def test_end_stream_tells_the_encoder_why(ingest: RunningIngest) -> None:
    pub = BlockingRTMPPublisher(ingest.port)
    try:
        pub.handshake()
        pub.send(pub.client.connect_sequence())
        pub.send(pub.client.publish_sequence("sk_raw"))
        assert pub.read_until_status()["code"] == "NetStream.Publish.Start"
        wait_until(lambda: ingest.stream("room-raw") is not None, 5, "the room's supervisor")
        assert ingest.call(ingest.server.end_stream("room-raw", REASON)) is True
        assert pub.read_until_status() == {"level": "error", "code": PUBLISH_REJECTED, "description": REASON}
        assert pub.closed_by_server()
    finally:
        pub.close()
    assert ingest.stream("room-raw") is None
    assert ("room-raw", "reconnecting") not in ingest.states and ingest.states[-1] == ("room-raw", "offline")
