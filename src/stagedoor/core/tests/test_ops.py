from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_and_readiness() -> None:
    client = Client()
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_metrics_are_prometheus_text() -> None:
    client = Client()
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 'stagedoor_http_requests_total{method="GET",route="healthz",status="200"}' in body


@pytest.mark.django_db
def test_metrics_token(settings: Any) -> None:
    from dataclasses import replace

    settings.STAGEDOOR = replace(settings.STAGEDOOR, metrics_token="s3cret-scrape")
    assert Client().get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer s3cret-scrape").get("/metrics").status_code == 200


@pytest.mark.django_db
def test_security_headers_on_pages() -> None:
    response = Client().get("/enter")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response  # no HSTS over plain HTTP
    assert len(response["X-Request-Id"]) == 26


@pytest.mark.django_db
def test_hsts_behind_tls(settings: Any) -> None:
    from dataclasses import replace

    settings.STAGEDOOR = replace(settings.STAGEDOOR, tls=True)
    response = Client().get("/healthz", HTTP_X_FORWARDED_PROTO="https", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_api_docs_served_locally() -> None:
    client = Client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Stagedoor API"


def test_json_log_lines() -> None:
    import logging

    from stagedoor.core.logging import JsonFormatter, request_id_var

    record = logging.LogRecord("stagedoor.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.room = "r1"
    token = request_id_var.set("01ABC")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["msg"] == "hello world" and line["level"] == "warning"
    assert line["request_id"] == "01ABC" and line["room"] == "r1"
