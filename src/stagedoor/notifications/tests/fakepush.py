"""A fake push service (the third party a browser's push subscription points at), at its HTTP boundary.

A real local HTTP server that receives pywebpush's real RFC 8030 request: it checks the VAPID authorization
(RFC 8292: `vapid t=<ES256 JWT>, k=<public key>`; the JWT's signature, `aud` = this origin, `exp` in the next 24 h,
a `sub`), the `TTL` header and `Content-Encoding: aes128gcm`, and decrypts the RFC 8291 body with the
subscription's private key and auth secret, which the test made (`subscription()`), like a browser would.
Each endpoint answers 201 unless told otherwise (`answer(token, 410)`)."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Subscription:
    """A browser's side of one push subscription: its key pair and auth secret."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64e(raw)

    def as_json(self) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives the page."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64e(self.auth)},
        }


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    claims: dict[str, Any]
    vapid_key: str
    headers: dict[str, str]


@dataclass
class FakePushService:
    expected_vapid_key: str | None = None  # when set, a push signed with another key is refused (403)
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, int, str]] = field(default_factory=list)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakePushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, reason = service.handle(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reason)))
                self.end_headers()
                self.wfile.write(reason.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def subscription(self, token: str | None = None) -> Subscription:
        token = token or b64e(os.urandom(9))
        sub = Subscription(
            token=token,
            endpoint=f"{self.origin}/push/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=os.urandom(16),
        )
        with self.lock:
            self.subscriptions[token] = sub
        return sub

    def answer(self, token: str, status: int) -> None:
        self.answers[token] = status

    def payloads(self, token: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r.payload for r in self.received if r.token == token]

    # --- the push service's checks -------------------------------------------------------------------------

    def _refuse(self, token: str, status: int, why: str) -> tuple[int, str]:
        with self.lock:
            self.refused.append((token, status, why))
        return status, why

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
        h = {k.lower(): v for k, v in headers.items()}
        token = path.rsplit("/", 1)[-1]
        sub = self.subscriptions.get(token)
        if not path.startswith("/push/") or sub is None:
            return self._refuse(token, 404, "no such subscription")
        if token in self.answers:
            return self.answers[token], "as told"
        claims, key, problem = self._vapid(h.get("authorization", ""))
        if problem:
            return self._refuse(token, 401, problem)
        if self.expected_vapid_key is not None and key != self.expected_vapid_key:
            return self._refuse(token, 403, "signed with another VAPID key")
        if "ttl" not in h or not h["ttl"].isdigit():
            return self._refuse(token, 400, "TTL missing")
        if h.get("content-encoding") != "aes128gcm":
            return self._refuse(token, 415, f"content-encoding {h.get('content-encoding')!r}")
        try:
            plain = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm")
            payload = json.loads(plain)
        except Exception as exc:
            return self._refuse(token, 400, f"cannot decrypt: {exc}")
        with self.lock:
            self.received.append(Received(token=token, payload=payload, claims=claims, vapid_key=key, headers=h))
        return 201, ""

    def _vapid(self, authorization: str) -> tuple[dict[str, Any], str, str]:
        if not authorization.lower().startswith("vapid "):
            return {}, "", "no VAPID authorization"
        parts = dict(p.strip().split("=", 1) for p in authorization[6:].split(",") if "=" in p)
        jwt, key = parts.get("t", ""), parts.get("k", "")
        try:
            head_b64, claims_b64, sig_b64 = jwt.split(".")
            header = json.loads(b64d(head_b64))
            claims = json.loads(b64d(claims_b64))
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
            sig = b64d(sig_b64)
            if header.get("alg") != "ES256" or len(sig) != 64:
                return {}, key, "not an ES256 JWT"
            der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            public.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, InvalidSignature, json.JSONDecodeError):
            return {}, key, "bad VAPID JWT"
        now = time.time()
        if claims.get("aud") != self.origin:
            return claims, key, f"aud {claims.get('aud')!r} is not {self.origin}"
        if not (now < float(claims.get("exp", 0)) <= now + 24 * 3600):
            return claims, key, "exp not within 24 h"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return claims, key, "sub missing"
        return claims, key, ""
