import http.server
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stagedoor.conftest import require_tool
from stagedoor.streaming.nginx import OriginConfig, render_nginx_config
from stagedoor.streaming.origin import PLAYLIST_CACHE, SEGMENT_CACHE, resolve_media
from stagedoor.streaming.playback import (
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    TOKEN_WRONG_ROOM,
    PlaybackDenied,
    PlaybackTokens,
    hash_session,
)

from .rtmp_client import wait_until

SECRET = b"0123456789abcdef0123456789abcdef"
NOW = 1_800_000_000


def test_issue_and_verify() -> None:
    tokens = PlaybackTokens(SECRET, ttl_s=60)
    grant = tokens.issue(room="room1", session_key="sess-abc", now=NOW)
    assert grant.expires_at == NOW + 60 and grant.session == hash_session("sess-abc")
    assert "sess-abc" not in grant.token
    assert grant.url() == f"/live/{grant.token}/room1/master.m3u8"
    assert tokens.verify(grant.token, room="room1", now=NOW + 59) == grant


@pytest.mark.parametrize(
    "mutate, room, now, code",
    [
        (lambda t: t, "room2", NOW, TOKEN_WRONG_ROOM),
        (lambda t: t, "room1", NOW + 60, TOKEN_EXPIRED),
        (lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"), "room1", NOW, TOKEN_INVALID),  # forged signature
        (lambda t: "garbage", "room1", NOW, TOKEN_INVALID),
    ],
)
def test_forged_expired_or_misdirected_tokens_are_denied(
    mutate: Callable[[str], str], room: str, now: int, code: str
) -> None:
    tokens = PlaybackTokens(SECRET, ttl_s=60)
    token = mutate(tokens.issue(room="room1", session_key="s", now=NOW).token)
    with pytest.raises(PlaybackDenied) as info:
        tokens.verify(token, room=room, now=now)
    assert info.value.code == code


def test_other_secret_cannot_forge() -> None:
    grant = PlaybackTokens(b"another-secret-of-32-bytes-......").issue(room="room1", session_key="s", now=NOW)
    with pytest.raises(PlaybackDenied):
        PlaybackTokens(SECRET).verify(grant.token, room="room1", now=NOW)


@pytest.fixture
def media(tmp_path: Path) -> Path:
    room = tmp_path / "room1"
    (room / "480p").mkdir(parents=True)
    (room / "samples").mkdir()
    (room / "master.m3u8").write_text("#EXTM3U\n")
    (room / "_master.m3u8").write_text("private")
    (room / "480p" / "index.m3u8").write_text("#EXTM3U\n")
    (room / "480p" / "g0_1.m4s").write_bytes(b"seg")
    (room / "samples" / "000000001.jpg").write_bytes(b"jpg")
    return tmp_path


def test_resolve_media_headers_and_private_files(media: Path) -> None:
    assert resolve_media(media, "room1", "master.m3u8").cache_control == PLAYLIST_CACHE
    seg = resolve_media(media, "room1", "480p/g0_1.m4s")
    assert (seg.content_type, seg.cache_control) == ("video/iso.segment", SEGMENT_CACHE)
    for bad in (
        "_master.m3u8",
        "samples/000000001.jpg",
        "../room1/master.m3u8",
        "480p/_ffmpeg.m3u8",
        "x.txt",
        "nope.m4s",
    ):
        with pytest.raises(PlaybackDenied):
            resolve_media(media, "room1", bad)


class _AuthHandler(http.server.BaseHTTPRequestHandler):
    tokens = PlaybackTokens(SECRET)
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        try:
            self.tokens.verify_path(self.headers.get("X-Original-URI", ""), now=time.time())
            self.send_response(204)
        except PlaybackDenied:
            self.send_response(403)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_generated_nginx_config_enforces_the_token(media: Path, tmp_path: Path) -> None:
    nginx = require_tool("nginx", path="/usr/sbin:/usr/bin")  # skips, or fails under CI=true
    auth = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthHandler)
    threading.Thread(target=auth.serve_forever, daemon=True).start()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = tmp_path / "nginx"
    state.mkdir()
    conf = state / "nginx.conf"
    conf.write_text(
        render_nginx_config(
            OriginConfig(
                media_root=media,
                auth_upstream=f"127.0.0.1:{auth.server_address[1]}",
                listen=f"127.0.0.1:{port}",
                state_dir=state,
                user="root",
            )
        )
    )  # pytest's tmp dirs are private to root
    subprocess.run([nginx, "-t", "-c", str(conf), "-e", str(state / "error.log")], check=True, capture_output=True)
    proc = subprocess.Popen([nginx, "-c", str(conf), "-e", str(state / "error.log"), "-g", "daemon off;"])
    try:
        base = f"http://127.0.0.1:{port}"

        def get(path: str) -> tuple[int | None, dict[str, str], bytes]:
            try:
                with urllib.request.urlopen(base + path, timeout=5) as r:
                    return r.status, dict(r.headers), r.read()
            except urllib.error.HTTPError as e:
                return e.code, dict(e.headers), b""
            except (ConnectionRefusedError, urllib.error.URLError):
                return None, {}, b""

        grant = PlaybackTokens(SECRET).issue(room="room1", session_key="viewer", now=time.time())
        wait_until(lambda: get(grant.url())[0] == 200, 10, "nginx to serve")
        status, headers, body = get(grant.url())
        assert (status, headers["Cache-Control"], body) == (200, PLAYLIST_CACHE, b"#EXTM3U\n")
        assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
        status, headers, body = get(grant.url("480p/g0_1.m4s"))
        assert (status, headers["Cache-Control"], body) == (200, SEGMENT_CACHE, b"seg")
        forged = grant.token[:-2] + ("AA" if grant.token[-2:] != "AA" else "BB")
        assert get(f"/live/{forged}/room1/master.m3u8")[0] == 403
        expired = PlaybackTokens(SECRET, ttl_s=1).issue(room="room1", session_key="v", now=time.time() - 10)
        assert get(expired.url())[0] == 403
        other_room = PlaybackTokens(SECRET).issue(room="room2", session_key="v", now=time.time())
        assert get(f"/live/{other_room.token}/room1/master.m3u8")[0] == 403
        assert get(grant.url("_master.m3u8"))[0] == 404
        assert get(grant.url("samples/000000001.jpg"))[0] == 404
        assert get(grant.url("480p/missing.m4s"))[0] == 404
    finally:
        proc.terminate()
        proc.wait(10)
        auth.shutdown()
