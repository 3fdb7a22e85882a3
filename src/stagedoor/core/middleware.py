"""Request context (id, metrics, access log) and security headers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from stagedoor.core.ids import new_id
from stagedoor.core.logging import request_id_var
from stagedoor.core.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("stagedoor.http")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",  # hls.js transmuxes in a blob: worker
        "connect-src 'self' ws: wss:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI sets inline style attributes; its page alone may use them.
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


# Media, assets and scrapes would drown the access log; they have metrics instead.
QUIET_PREFIXES = ("/static/", "/media/", "/hls/", "/metrics", "/healthz", "/readyz")


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-Id", "")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isascii() else new_id()
        token = request_id_var.set(rid)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, route).observe(elapsed)
        response["X-Request-Id"] = rid
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1),
            "request_id": rid,
        }
        if response.status_code >= 500:
            log.error("request failed", extra=fields)
        elif not request.path.startswith(QUIET_PREFIXES):
            log.info("request", extra=fields)
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        csp = CSP_DOCS if request.path.startswith("/api/") and request.path.endswith("/docs") else CSP
        response.setdefault("Content-Security-Policy", csp)
        response.setdefault("Permissions-Policy", "camera=(self), microphone=(self), geolocation=(), payment=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if settings.STAGEDOOR.tls:
            response.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
