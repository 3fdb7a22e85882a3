"""One HTTP attempt, without Django: POST the body to the checked address (the Host header and TLS name stay the
endpoint's), never follow a redirect, give up after `timeout_s` (for connecting, and for each wait on the answer),
keep the first RESPONSE_BODY_MAX characters of the answer (read for at most `timeout_s` in all). The status decides:
a 2xx is delivered — even if its body comes slowly, since the receiver has the event — anything else is a failure."""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass
from functools import cache

import certifi
import httpx

from stagedoor.webhooks.addresses import Target

RESPONSE_BODY_MAX = 1024
ERROR_MAX = 300


@dataclass(frozen=True)
class Outcome:
    outcome: str  # ok | http_error | timeout | connection | refused (Attempt.Outcome)
    status_code: int | None = None
    response_body: str = ""
    error: str = ""
    latency_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


@cache
def _tls() -> ssl.SSLContext:
    """One verifying TLS context for every attempt (building one per request costs more than a local POST)."""
    return ssl.create_default_context(cafile=certifi.where())


def _url(target: Target) -> str:
    host = f"[{target.address}]" if ":" in target.address else target.address
    return f"{target.scheme}://{host}:{target.port}{target.path}"


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def _read_some(response: httpx.Response, deadline: float) -> str:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():
        chunks.append(chunk)
        size += len(chunk)
        if size >= RESPONSE_BODY_MAX or time.monotonic() > deadline:
            break
    return b"".join(chunks)[:RESPONSE_BODY_MAX].decode("utf-8", "replace")


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout_s: float) -> Outcome:
    started = time.monotonic()
    deadline = started + timeout_s

    def ms() -> int:
        return int((time.monotonic() - started) * 1000)

    extensions: dict[str, object] = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with httpx.Client(
            follow_redirects=False, trust_env=False, timeout=httpx.Timeout(timeout_s), verify=_tls()
        ) as client:
            request = client.build_request(
                "POST",
                _url(target),
                content=body,
                headers={**headers, "host": _host_header(target)},
                extensions=extensions,
            )
            response = client.send(request, stream=True)
            try:
                code = response.status_code
                text = _read_some(response, deadline)
            finally:
                response.close()
    except httpx.TimeoutException as exc:
        return Outcome("timeout", error=f"no answer within {timeout_s:g} s ({type(exc).__name__})", latency_ms=ms())
    except (httpx.HTTPError, OSError) as exc:
        return Outcome("connection", error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX], latency_ms=ms())
    if 200 <= code < 300:
        return Outcome("ok", status_code=code, response_body=text, latency_ms=ms())
    return Outcome("http_error", status_code=code, response_body=text, error=f"HTTP {code}", latency_ms=ms())
