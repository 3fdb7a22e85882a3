"""Real RTMP into a real IngestServer: Debian's ffmpeg, GStreamer's rtmp2sink and raw
sockets push; the imageio ffmpeg builds the ladder; ffprobe checks it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from stagedoor.streaming.rtmp.errors import PUBLISH_BAD_NAME, PUBLISH_REJECTED

from .conftest import DEBIAN_FFMPEG, FFPROBE, RunningIngest, live_push_args, pid_alive
from .rtmp_client import BlockingRTMPPublisher, FLVTag, read_flv, wait_until


def ffprobe(path: Path, *entries: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", f"stream={','.join(entries)}", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    streams: list[dict[str, Any]] = json.loads(out.stdout)["streams"]
    return streams


def segments(playlist_path: Path) -> list[str]:
    try:
        return [line for line in playlist_path.read_text().splitlines() if line.endswith(".m4s")]
    except FileNotFoundError:
        return []


def assert_no_transcoder_left(ingest: RunningIngest) -> None:
    pids = ingest.all_pids()
    wait_until(lambda: not any(pid_alive(p) for p in pids), 5, "transcoders to exit")


def test_ffmpeg_push_builds_the_ladder_then_goes_offline_after_grace(ingest: RunningIngest) -> None:
    push = subprocess.Popen(
        live_push_args(ingest.url("sk_good"), size="1280x720", bitrate="2000k", seconds=7),
        stderr=subprocess.PIPE,
    )
    try:
        room = ingest.media_root / "room-good"
        wait_until(
            lambda: all(len(segments(room / r / "index.m3u8")) >= 2 for r in ("src", "480p", "240p")),
            20,
            "two segments in every rung",
        )
        stream = ingest.stream("room-good")
        assert stream is not None and stream.state.value == "live"
        assert [r.name for r in stream.ladder] == ["src", "480p", "240p"] and stream.ladder[0].copy

        master = (room / "master.m3u8").read_text()
        assert 'RESOLUTION=1280x720,CODECS="avc1.' in master
        assert "RESOLUTION=854x480" in master and "RESOLUTION=426x240" in master
        assert master.count("BANDWIDTH=") == 3 and "src/index.m3u8" in master
        probed = ffprobe(room / "master.m3u8", "codec_name,width,height")
        assert sorted((s.get("width"), s.get("height")) for s in probed if s["codec_name"] == "h264") == [
            (426, 240),
            (854, 480),
            (1280, 720),
        ]
        assert sum(1 for s in probed if s["codec_name"] == "aac") == 3

        playlist = (room / "480p" / "index.m3u8").read_text()
        assert "#EXT-X-PROGRAM-DATE-TIME:" in playlist and '#EXT-X-MAP:URI="init_g0_480p.mp4"' in playlist
        assert "#EXT-X-TARGETDURATION:1" in playlist or "#EXT-X-TARGETDURATION:2" in playlist
        wait_until(lambda: (room / "thumb.jpg").exists(), 10, "a thumbnail")
        health = stream.health()
        assert health.width == 1280 and health.fps == pytest.approx(30, abs=1)
        assert health.keyframe_interval_s == 1.0
        shared = [h for h in ingest.health if h.room == "room-good" and h.state == "live"]
        assert shared and shared[-1].width == 1280 and shared[-1].rungs == ["src", "480p", "240p"]
        assert push.wait(30) == 0
    finally:
        push.kill()
    wait_until(lambda: ("room-good", "reconnecting") in ingest.states, 10, "reconnecting")
    wait_until(lambda: ("room-good", "offline") in ingest.states, 10, "offline after the grace period")
    assert not room.exists()
    assert ingest.stream("room-good") is None
    assert ingest.states[:2] == [("room-good", "starting"), ("room-good", "live")]
    assert_no_transcoder_left(ingest)


def test_gstreamer_rtmp2sink_push(ingest: RunningIngest) -> None:
    pipeline = (
        "videotestsrc is-live=true num-buffers=150 ! video/x-raw,width=640,height=360,framerate=30/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 bitrate=800 ! h264parse "
        "! flvmux name=mux streamable=true ! rtmp2sink location=" + ingest.url("sk_gst") + " "
        "audiotestsrc is-live=true num-buffers=230 ! audioconvert ! voaacenc ! aacparse ! mux."
    )
    gst = subprocess.Popen(
        ["gst-launch-1.0", "-q", *pipeline.split()], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        room = ingest.media_root / "room-gst"
        wait_until(lambda: len(segments(room / "src" / "index.m3u8")) >= 2, 20, "segments from the GStreamer push")
        probed = ffprobe(room / "src" / "index.m3u8", "codec_name,width,height")
        assert {(s["codec_name"], s.get("width")) for s in probed} == {("h264", 640), ("aac", None)}
        stream = ingest.stream("room-gst")
        assert stream is not None and [r.name for r in stream.ladder] == ["src", "240p"]
    finally:
        gst.wait(30)
    wait_until(lambda: ("room-gst", "offline") in ingest.states, 10, "offline")
    assert_no_transcoder_left(ingest)


def raw_publisher(ingest: RunningIngest, key: str) -> BlockingRTMPPublisher:
    pub = BlockingRTMPPublisher(ingest.port)
    pub.handshake()
    pub.send(pub.client.connect_sequence())
    pub.send(pub.client.publish_sequence(key))
    return pub


def test_wrong_key_gets_rejected_status_and_nothing_starts(ingest: RunningIngest) -> None:
    pub = raw_publisher(ingest, "sk_nope")
    status = pub.read_until_status()
    assert status == {"level": "error", "code": PUBLISH_REJECTED, "description": "unknown or revoked stream key"}
    assert pub.closed_by_server()
    assert ingest.server.streams == {} and not list(ingest.media_root.iterdir())


def test_wrong_key_with_ffmpeg_client(ingest: RunningIngest) -> None:
    result = subprocess.run(
        [
            DEBIAN_FFMPEG,
            "-hide_banner",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=15",
            "-t",
            "2",
            "-c:v",
            "libx264",
            "-f",
            "flv",
            ingest.url("sk_bad"),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode != 0
    assert ingest.server.streams == {}


def test_second_publisher_for_the_same_room_gets_bad_name(ingest: RunningIngest) -> None:
    first = raw_publisher(ingest, "sk_raw")
    assert first.read_until_status()["code"] == "NetStream.Publish.Start"
    second = raw_publisher(ingest, "sk_raw")
    status = second.read_until_status()
    assert status["code"] == PUBLISH_BAD_NAME and status["level"] == "error"
    assert second.closed_by_server()
    stream = ingest.stream("room-raw")
    assert stream is not None and stream.has_publisher
    first.close()


@pytest.mark.parametrize(
    "payload",
    [b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(4000), b"\x03" + b"\x00" * 1536 + b"\x00" * 1536 + b"\xff" * 300],
    ids=["http", "random", "garbage-after-handshake"],
)
def test_garbage_bytes_close_the_connection_and_server_keeps_working(ingest: RunningIngest, payload: bytes) -> None:
    import socket

    sock = socket.create_connection(("127.0.0.1", ingest.port), timeout=5)
    sock.sendall(payload)
    sock.settimeout(5)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    sock.close()
    assert len(received) <= 1 + 2 * 1536  # at most the handshake, never a command reply
    good = raw_publisher(ingest, "sk_raw")
    assert good.read_until_status()["code"] == "NetStream.Publish.Start"
    good.close()


def test_oversized_chunk_size_closes_the_connection(ingest: RunningIngest) -> None:
    pub = BlockingRTMPPublisher(ingest.port)
    pub.handshake()
    pub.send(pub.client.set_chunk_size(1 << 20))
    assert pub.closed_by_server()


def push_tags(
    pub: BlockingRTMPPublisher,
    tags: list[FLVTag],
    *,
    realtime: bool,
    stop: threading.Event | None = None,
    loops: int = 1,
) -> None:
    start = time.monotonic()
    offset = 0
    for _ in range(loops):
        last = 0
        for tag in tags:
            if stop is not None and stop.is_set():
                return
            tag = type(tag)(tag.type_id, tag.timestamp + offset, tag.data)
            if realtime:
                delay = start + tag.timestamp / 1000 - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # pacing a live encoder, not waiting for a result
            pub.send(pub.client.media(tag))
            last = tag.timestamp
        offset = last + 67


def media_tags(flv: bytes) -> list[FLVTag]:
    return [t for t in read_flv(flv) if t.type_id in (8, 9)]


def test_publisher_vanishing_mid_chunk(ingest: RunningIngest, small_flv: bytes) -> None:
    pub = raw_publisher(ingest, "sk_raw")
    assert pub.read_until_status()["code"] == "NetStream.Publish.Start"
    tags = media_tags(small_flv)
    push_tags(pub, tags, realtime=False)
    room = ingest.media_root / "room-raw"
    wait_until(lambda: segments(room / "src" / "index.m3u8"), 20, "segments")
    big = next(t for t in reversed(tags) if t.type_id == 9 and len(t.data) > 5000)
    pub.send(pub.client.media(big)[:2500])  # half a chunk stream message
    pub.sock.shutdown(2)
    pub.close()
    wait_until(lambda: ("room-raw", "reconnecting") in ingest.states, 10, "reconnecting")
    wait_until(lambda: ("room-raw", "offline") in ingest.states, 10, "offline")
    assert not room.exists()
    assert_no_transcoder_left(ingest)


def test_crashed_transcoder_restarts_and_reconnect_continues_the_playlist(
    ingest: RunningIngest, small_flv: bytes
) -> None:
    tags = media_tags(small_flv)
    room = ingest.media_root / "room-raw"
    playlist = room / "src" / "index.m3u8"

    def publish(stop: threading.Event) -> tuple[BlockingRTMPPublisher, threading.Thread]:
        pub = raw_publisher(ingest, "sk_raw")
        assert pub.read_until_status()["code"] == "NetStream.Publish.Start"
        thread = threading.Thread(
            target=push_tags, args=(pub, tags), kwargs={"realtime": True, "stop": stop, "loops": 5}
        )
        thread.start()
        return pub, thread

    stop = threading.Event()
    pub, thread = publish(stop)
    try:
        wait_until(lambda: len(segments(playlist)) >= 2, 20, "first segments")
        stream = ingest.stream("room-raw")
        assert stream is not None
        old_pid = stream.transcoder_pid
        assert old_pid is not None
        os.kill(old_pid, signal.SIGKILL)
        killed_at = time.monotonic()
        new_pid = wait_until(
            lambda: stream.transcoder_pid not in (None, old_pid) and stream.transcoder_pid, 5, "a new transcoder"
        )
        assert time.monotonic() - killed_at < 2.0
        assert isinstance(new_pid, int)
        assert not pid_alive(old_pid) and pid_alive(new_pid)
        assert stream.restarts == 1 and stream.has_publisher
        wait_until(lambda: any(s.startswith("g1_") for s in segments(playlist)), 15, "segments of generation 1")
        text = playlist.read_text()
        assert '#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init_g1_src.mp4"' in text
    finally:
        stop.set()
        thread.join()
        pub.close()
    wait_until(lambda: stream.state.value == "reconnecting", 10, "reconnecting")
    before = segments(playlist)

    stop2 = threading.Event()
    pub2, thread2 = publish(stop2)
    try:
        wait_until(lambda: any(s.startswith("g2_") for s in segments(playlist)), 15, "segments after reconnecting")
        assert ingest.stream("room-raw") is stream and stream.state.value == "live"
        after = segments(playlist)

        def seq(name: str) -> int:
            return int(name.split("_")[1].split(".")[0])

        assert seq(after[-1]) > seq(before[-1])  # the same playlist continues
        assert '#EXT-X-MAP:URI="init_g2_src.mp4"' in playlist.read_text()
    finally:
        stop2.set()
        thread2.join()
        pub2.close()
    wait_until(lambda: ("room-raw", "offline") in ingest.states, 10, "offline")
    assert [s for s in ingest.states if s[1] == "offline"] == [("room-raw", "offline")]
    assert_no_transcoder_left(ingest)


def test_frame_samples_reach_the_consumer(ingest: RunningIngest, small_flv: bytes) -> None:
    pub = raw_publisher(ingest, "sk_raw")
    assert pub.read_until_status()["code"] == "NetStream.Publish.Start"
    push_tags(pub, media_tags(small_flv), realtime=False)
    wait_until(lambda: ingest.samples.samples, 15, "a frame sample")
    sample = ingest.samples.samples[0]
    assert sample.room == "room-raw" and sample.jpeg[:2] == b"\xff\xd8"
    pub.close()
