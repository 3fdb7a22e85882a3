"""The generated site config under Debian's real nginx, in front of two real web nodes and two chat gateways.

Each web node is Stagedoor's ASGI application under uvicorn (what `stagedoor web` serves) on its own port, counting
the requests it answers; the chat gateways are the real `ChatGateway` on their own ports. The client speaks TLS to
nginx with a certificate made here, and checks what the edge promises: TLS, /static/ served by nginx itself with
its cache header, requests spread over both nodes, a dead node skipped, the WebSocket upgrade reaching a gateway
(two sockets: one on each), media refused without a good token and served with one (the origin's token check,
asked of the app), and the edge's own 429 once a client goes over the limit.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import http.client
import ipaddress
import json
import ssl
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from stagedoor.conftest import free_tcp_port, require_tool
from stagedoor.deploy.nginx import RATE_LIMITED_CODE, STATIC_CACHE, RateLimit, SiteConfig, render_site_config
from stagedoor.streaming.origin import PLAYLIST_CACHE, SEGMENT_CACHE

SERVER_NAME = "stagedoor.test"
CHAT_KEY = b"deploy-test-chat-ticket-key-0123456789"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)  # a poll tick, not a wait for time to pass


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class WebNode:
    """Stagedoor's ASGI app under uvicorn in a thread, counting the HTTP requests that reach it."""

    name: str
    port: int = field(default_factory=free_tcp_port)
    hits: list[str] = field(default_factory=list)

    def start(self) -> None:
        import uvicorn
        from django.core.asgi import get_asgi_application

        app = get_asgi_application()

        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                self.hits.append(scope["path"])
            await app(scope, receive, send)

        config = uvicorn.Config(
            counted, host="127.0.0.1", port=self.port, lifespan="off", log_config=None, access_log=False
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"web-{self.name}", daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started, 20, f"web node {self.name}")

    def kill(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        assert not self.thread.is_alive()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Edge:
    https_port: int
    http_port: int
    tls: ssl.SSLContext

    def request(
        self, path: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        conn = http.client.HTTPSConnection("127.0.0.1", self.https_port, context=self.tls, timeout=10)
        try:
            conn.request(method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})})
            answer = conn.getresponse()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        finally:
            conn.close()


@pytest.fixture
def site(tmp_path: Path, settings: Any) -> Iterator[tuple[Edge, list[WebNode], list[int]]]:
    nginx = require_tool("nginx", path="/usr/sbin:/usr/bin")  # skips, or fails under CI=true
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SERVER_NAME]
    state, media, static = tmp_path / "nginx", tmp_path / "media", tmp_path / "static"
    for directory in (state, media / "room1" / "480p", static / "web"):
        directory.mkdir(parents=True)
    (media / "room1" / "master.m3u8").write_text("#EXTM3U\n")
    (media / "room1" / "480p" / "g0_1.m4s").write_bytes(b"segment")
    (static / "web" / "site.css").write_text("body { color: #123456; }\n")
    (static / "web" / "site.css.gz").write_bytes(gzip.compress(b"body { color: #123456; }\n"))
    cert, key = self_signed(tmp_path)
    nodes = [WebNode("a"), WebNode("b")]
    chat_ports = [free_tcp_port(), free_tcp_port()]
    edge = Edge(https_port=free_tcp_port(), http_port=free_tcp_port(), tls=ssl.create_default_context(cafile=cert))
    conf = state / "nginx.conf"
    conf.write_text(
        render_site_config(
            SiteConfig(
                server_name=SERVER_NAME,
                web=tuple(f"127.0.0.1:{node.port}" for node in nodes),
                chat=tuple(f"127.0.0.1:{port}" for port in chat_ports),
                media_root=media,
                static_root=static,
                tls_cert=cert,
                tls_key=key,
                state_dir=state,
                acme_root=tmp_path / "acme",
                https_listen=f"127.0.0.1:{edge.https_port}",
                http_listen=f"127.0.0.1:{edge.http_port}",
                auth_limit=RateLimit("1r/m", 2),  # three sign-in attempts, then refusals for a minute
                user="root",  # pytest's tmp dirs are private to root
            )
        )
    )
    errors = state / "stderr.log"
    checked = subprocess.run([nginx, "-t", "-c", str(conf), "-e", str(errors)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    for node in nodes:
        node.start()
    proc = subprocess.Popen([nginx, "-c", str(conf), "-e", str(errors), "-g", "daemon off;"])
    try:

        def answering() -> bool:
            try:
                return edge.request("/healthz").status == 200
            except OSError:
                return False

        wait_until(answering, 15, "nginx to answer over TLS")
        yield edge, nodes, chat_ports
    finally:
        proc.terminate()
        proc.wait(10)
        for node in nodes:
            if node.thread.is_alive():
                node.kill()


def test_the_edge_in_front_of_two_web_nodes_and_two_chat_gateways(
    site: tuple[Edge, list[WebNode], list[int]],
) -> None:
    edge, (a, b), chat_ports = site
    a.hits.clear()
    b.hits.clear()

    # port 80 only redirects to TLS
    plain = http.client.HTTPConnection("127.0.0.1", edge.http_port, timeout=10)
    plain.request("GET", "/rooms?x=1", headers={"Host": SERVER_NAME})
    redirect = plain.getresponse()
    assert (redirect.status, redirect.getheader("Location")) == (301, f"https://{SERVER_NAME}/rooms?x=1")
    plain.close()

    # static files come from nginx itself, with the CDN-friendly header and the gzip'd copy when asked for
    css = edge.request("/static/web/site.css")
    assert (css.status, css.headers["cache-control"], css.body) == (200, STATIC_CACHE, b"body { color: #123456; }\n")
    assert css.headers["content-type"] == "text/css"
    zipped = edge.request("/static/web/site.css", headers={"Accept-Encoding": "gzip"})
    assert (zipped.status, zipped.headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(zipped.body) == b"body { color: #123456; }\n"
    assert edge.request("/static/web/missing.css").status == 404
    assert (a.hits, b.hits) == ([], [])

    # pages and the API are spread over both nodes (round robin); /metrics stays on the nodes
    answers = [edge.request("/healthz") for _ in range(6)] + [edge.request("/api/v1/openapi.json") for _ in range(2)]
    assert [r.status for r in answers] == [200] * 8
    assert answers[0].json() == {"status": "ok"} and answers[-1].json()["info"]["title"] == "Stagedoor API"
    assert sorted(a.hits + b.hits) == ["/api/v1/openapi.json"] * 2 + ["/healthz"] * 6
    assert (len(a.hits), len(b.hits)) == (4, 4)
    assert edge.request("/metrics").status == 404

    # media: the origin's token check (nginx asks a web node), the origin's cache headers
    from stagedoor.streaming.selectors import playback_tokens

    grant = playback_tokens().issue(room="room1", session_key="viewer", now=time.time())
    forged = grant.token[:-2] + ("AA" if grant.token[-2:] != "AA" else "BB")
    refused = edge.request(f"/live/{forged}/room1/master.m3u8")
    assert refused.status == 403
    playlist = edge.request(grant.url())
    assert (playlist.status, playlist.headers["cache-control"], playlist.body) == (200, PLAYLIST_CACHE, b"#EXTM3U\n")
    segment = edge.request(grant.url("480p/g0_1.m4s"))
    assert (segment.status, segment.headers["cache-control"], segment.body) == (200, SEGMENT_CACHE, b"segment")
    assert edge.request("/_media_auth").status == 404  # internal only
    assert sorted(a.hits + b.hits).count("/_media_auth") == 2  # the forged token, then the grant (cached since)

    # one node dies: every request is still answered, by the other
    a.kill()
    before_b = len(b.hits)
    assert [edge.request("/healthz").status for _ in range(5)] == [200] * 5
    assert len(b.hits) == before_b + 5
    other = playback_tokens().issue(room="room1", session_key="viewer-2", now=time.time())
    assert edge.request(other.url()).status == 200  # the token check fails over too

    # the WebSocket upgrade reaches a gateway; two open sockets sit on the two gateways (least connections)
    nodes_seen = asyncio.run(_two_chat_sockets(edge, chat_ports))
    assert sorted(nodes_seen) == ["chat-0", "chat-1"]

    # the edge's rate limit on sign-in: three attempts reach the app, then nginx answers 429 itself
    before = len(b.hits)
    attempts = [
        edge.request("/api/v1/auth/login", "POST", b"{}", {"Content-Type": "application/json"}) for _ in range(5)
    ]
    assert len(b.hits) == before + 3
    assert [r.status for r in attempts[:3]] == [422] * 3  # the app's own answer to an empty sign-in
    for refusal in attempts[3:]:
        assert (refusal.status, refusal.json()["code"]) == (429, RATE_LIMITED_CODE)
        assert (refusal.headers["retry-after"], refusal.headers["cache-control"]) == ("1", "no-store")
    assert edge.request("/healthz").status == 200  # other routes are not refused


async def _two_chat_sockets(edge: Edge, ports: list[int]) -> list[str]:
    from websockets.asyncio.client import connect
    from websockets.typing import Subprotocol

    from stagedoor.chat import codes as C
    from stagedoor.chat.gateway import ChatGateway, GatewayConfig, start_chat_gateway
    from stagedoor.chat.moderation import MemoryRecorder
    from stagedoor.chat.pipeline.sink import InMemorySink
    from stagedoor.chat.protocol import encode_command
    from stagedoor.chat.ticket import ticket_sign

    gateways = [
        await start_chat_gateway(
            "127.0.0.1",
            port,
            ChatGateway(
                GatewayConfig(ticket_key=CHAT_KEY, node=f"chat-{i}"), sink=InMemorySink(), recorder=MemoryRecorder()
            ),
        )
        for i, port in enumerate(ports)
    ]
    sockets = []
    try:
        seen = []
        for user in ("1", "2"):
            ws = await connect(
                f"wss://127.0.0.1:{edge.https_port}/chat/",
                ssl=edge.tls,
                server_hostname=SERVER_NAME,
                subprotocols=[Subprotocol(C.SUBPROTOCOL)],
                compression=None,
                open_timeout=10,
            )
            sockets.append(ws)
            ticket = ticket_sign(
                key=CHAT_KEY, room="room1", user_id=user, login=f"viewer{user}", role="viewer", perms={C.PERM_READ}
            )
            await ws.send(encode_command(C.CMD_HELLO, ticket=ticket))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert welcome["type"] == C.EV_WELCOME, welcome
            seen.append(welcome["node"])
        return seen
    finally:
        for ws in sockets:
            await ws.close()
        for gateway in gateways:
            await gateway.close()
