"""An affiliate's tracker, faked at its HTTP boundary: a real HTTP server on loopback (a thread) that checks every
postback's `Stagedoor-Signature` the way a tracker does (the recipe in docs/affiliates.md, written out here without
our code) and answers with the statuses it is told to, in order (then 200)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def tracker_verifies(secret: str, header: str, body: bytes, *, now: float, tolerance: int = 300) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp = parts.get("t", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


@dataclass
class Received:
    path: str
    body: dict[str, Any]
    verified: bool
    answered: int


@dataclass
class FakeTracker:
    secret: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/postback"

    def start(self) -> FakeTracker:
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                verified = tracker_verifies(
                    tracker.secret, self.headers.get("Stagedoor-Signature", ""), raw, now=time.time()
                )
                with tracker.lock:
                    status = tracker.answers.pop(0) if tracker.answers else 200
                    if not verified:
                        status = 401  # a tracker refuses what it cannot verify
                    tracker.received.append(Received(self.path, json.loads(raw or b"{}"), verified, status))
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"no")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
