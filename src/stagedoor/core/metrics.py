"""Prometheus metrics shared by every app. Apps define their own next to their code."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter("stagedoor_http_requests_total", "HTTP requests served", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "stagedoor_http_request_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
OUTBOX_DISPATCHED = Counter("stagedoor_outbox_dispatched_total", "Outbox events delivered", ["topic", "outcome"])
AUDIT_ENTRIES = Counter("stagedoor_audit_entries_total", "Audit log entries appended", ["action"])
LOGIN_ATTEMPTS = Counter("stagedoor_login_attempts_total", "Login attempts", ["outcome"])
JOBS = Counter("stagedoor_jobs_total", "Background jobs run", ["name", "outcome"])
