"""The SFU package: Janus's configuration (exact), the forwarding ffmpeg command (exact), and the HTTP client
against a real Janus started by `JanusProcess`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from stagedoor.conftest import free_tcp_port, udp_port_range
from stagedoor.shows.sfu.client import NO_SUCH_FEED, JanusClient, JanusError
from stagedoor.shows.sfu.config import JanusSettings, janus_argv, janus_config_files, parse_stun
from stagedoor.shows.sfu.forward import forward_argv, forward_sdp, free_udp_pair
from stagedoor.shows.sfu.process import JanusProcess, load_or_create_secret

from .media_fixtures import janus_binary

SETTINGS = JanusSettings(workdir=Path("/v/janus"), http_port=18188, api_secret="s3cr3t", rtp_ports=(40000, 40999))


def test_janus_config_binds_loopback_with_the_secret_and_only_our_folders() -> None:
    files = janus_config_files(SETTINGS)
    assert sorted(files) == ["janus.jcfg", "janus.plugin.videoroom.jcfg", "janus.transport.http.jcfg"]
    main = files["janus.jcfg"]
    assert 'api_secret = "s3cr3t"' in main
    assert 'plugins_folder = "/v/janus/plugins"' in main
    assert 'transports_folder = "/v/janus/transports"' in main
    assert 'rtp_port_range = "40000-40999"' in main
    assert "session_timeout = 30" in main
    assert "nat_1_1_mapping" not in main and "stun_server" not in main
    http = files["janus.transport.http.jcfg"]
    assert "port = 18188" in http and 'ip = "127.0.0.1"' in http and "admin_http = false" in http
    assert 'admin_key = "s3cr3t"' in files["janus.plugin.videoroom.jcfg"]
    assert "lock_rtp_forward = true" in files["janus.plugin.videoroom.jcfg"]


def test_janus_nat_settings() -> None:
    behind_nat = JanusSettings(
        workdir=Path("/v"), http_port=1, api_secret="x", public_ip="203.0.113.7", stun_url="stun:stun.example.org:19302"
    )
    main = janus_config_files(behind_nat)["janus.jcfg"]
    assert 'nat_1_1_mapping = "203.0.113.7"' in main and "keep_private_host = true" in main
    assert "stun_server" not in main  # the 1:1 mapping already names the public address
    stun_only = JanusSettings(workdir=Path("/v"), http_port=1, api_secret="x", stun_url="stun:stun.example.org:19302")
    main = janus_config_files(stun_only)["janus.jcfg"]
    assert 'stun_server = "stun.example.org"' in main and "stun_port = 19302" in main
    assert parse_stun("stun:stun.example.org") == ("stun.example.org", 3478)
    assert parse_stun("") is None


def test_janus_argv() -> None:
    assert janus_argv("/usr/bin/janus", SETTINGS) == [
        "/usr/bin/janus",
        "--config",
        "/v/janus/conf/janus.jcfg",
        "--configs-folder",
        "/v/janus/conf",
        "--disable-colors",
        "--log-file",
        "/v/janus/janus.log",
        "--disable-stdout",
    ]


def test_forward_command_and_sdp() -> None:
    sdp = forward_sdp(50000, 50002)
    assert "m=video 50000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000" in sdp
    assert "m=audio 50002 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2" in sdp
    argv = forward_argv("ffmpeg", "/v/s.sdp", "rtmp://127.0.0.1:1935/live/k")
    assert argv[:8] == [
        "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "warning",
        "-protocol_whitelist",
        "file,udp,rtp",
        "-fflags",
    ]
    assert argv[argv.index("-i") + 1] == "/v/s.sdp"
    assert argv[argv.index("-c:v") + 1] == "libx264" and argv[argv.index("-c:a") + 1] == "aac"
    assert argv[argv.index("-force_key_frames") + 1] == "expr:gte(t,n_forced*1)"  # 1 s GOP: the ladder passes through
    assert argv[-3:] == ["-f", "flv", "rtmp://127.0.0.1:1935/live/k"]
    port = free_udp_pair()
    assert port % 2 == 0


def test_secret_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "janus" / "api_secret"
    first = load_or_create_secret(path)
    assert len(first) >= 40 and load_or_create_secret(path) == first
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def janus(tmp_path: Path) -> Iterator[JanusClient]:
    binary = janus_binary()
    s = JanusSettings(
        workdir=tmp_path / "janus", http_port=free_tcp_port(), api_secret="test-secret", rtp_ports=udp_port_range()
    )
    process = JanusProcess(binary, s)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(process.start())
    client = JanusClient(s.url, "test-secret")
    try:
        yield client
    finally:
        client.close()
        loop.run_until_complete(process.stop())
        loop.close()
    assert sorted(p.name for p in (s.workdir / "plugins").iterdir()) == ["libjanus_videoroom.so"]


def test_client_against_real_janus(janus: JanusClient) -> None:
    assert janus.info()["janus"] == "server_info"
    assert list(janus.info()["plugins"]) == ["janus.plugin.videoroom"]
    wrong = JanusClient(janus.url, "wrong")
    with pytest.raises(JanusError) as refused:
        wrong.create_session()
    assert refused.value.code == 403  # JANUS_ERROR_UNAUTHORIZED
    wrong.close()

    session = janus.create_session()
    handle = janus.attach(session)
    janus.ensure_room(session, handle, 4242)
    janus.ensure_room(session, handle, 4242)  # idempotent
    assert janus.participants(session, handle, 4242) == []
    other = janus.create_session()
    with pytest.raises(JanusError) as missing:
        janus.subscribe(other, janus.attach(other), 4242, 99)
    assert missing.value.code == NO_SUCH_FEED
    with pytest.raises(JanusError):
        janus.publish(session, handle, 4242, "v=0\r\nnot really sdp\r\n")
    assert janus.keepalive(session) is True
    janus.destroy_session(session)
    janus.destroy_session(session)  # a no-op once gone
    assert janus.keepalive(session) is False
