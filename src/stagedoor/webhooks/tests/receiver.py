"""A subscriber's webhook endpoint, faked at its HTTP boundary: a real HTTP server on loopback (a thread) that
verifies each request's Standard Webhooks signature with the secret it was given, records what came, and answers
as scripted per path — "200", "500", or "slow" (waits `slow_s` before a 200, longer than the sender's timeout)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stagedoor.webhooks import signing


@dataclass
class Received:
    path: str
    msg_id: str
    timestamp: str
    signature: str
    body: bytes
    verified: bool
    host: str


@dataclass
class Receiver:
    slow_s: float = 2.0
    secrets: dict[str, str] = field(default_factory=dict)  # path → the secret to verify with
    scripts: dict[str, list[str]] = field(default_factory=dict)  # path → answers, in order; the last repeats
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def script(self, path: str, *answers: str) -> None:
        self.scripts[path] = list(answers)

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def _answer(self, path: str) -> str:
        with self.lock:
            answers = self.scripts.get(path, ["200"])
            return answers.pop(0) if len(answers) > 1 else answers[0]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            secret = receiver.secrets.get(self.path, "")
            verified = bool(secret) and signing.verify(secret, dict(self.headers.items()), body, now=int(time.time()))
            with receiver.lock:
                receiver.received.append(
                    Received(
                        path=self.path,
                        msg_id=self.headers.get("webhook-id", ""),
                        timestamp=self.headers.get("webhook-timestamp", ""),
                        signature=self.headers.get("webhook-signature", ""),
                        body=body,
                        verified=verified,
                        host=self.headers.get("Host", ""),
                    )
                )
            answer = receiver._answer(self.path)
            if answer == "slow":
                receiver.release.wait(receiver.slow_s)  # the sender gave up long before
                answer = "200"
            status = 200 if answer == "200" and verified else 401 if answer == "200" else int(answer)
            payload = b'{"ok":true}' if status == 200 else b"upstream exploded: " + b"x" * 2000
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.server = server
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
