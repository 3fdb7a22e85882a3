"""Staff console of webhooks: the operator's site-wide endpoints (every performer's events) — the same pages as a
performer's studio (views.py), mounted at /staff/webhooks/ for `Perm.WEBHOOKS_SITE_MANAGE` (administrators).
Every change is audited by its service. The home page's blurb counts endpoints disabled for failing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.roles import Perm
from stagedoor.core.console import console_section
from stagedoor.webhooks import selectors, views


@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    return views.endpoints_page(request, views.CONSOLE)


@require_http_methods(["GET", "POST"])
def endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    return views.endpoint_page(request, views.CONSOLE, endpoint_id)


@require_POST
def endpoint_action(request: HttpRequest, endpoint_id: str, action: str) -> HttpResponse:
    return views.endpoint_action(request, views.CONSOLE, endpoint_id, action)


@require_http_methods(["GET", "POST"])
def delivery(request: HttpRequest, delivery_id: str) -> HttpResponse:
    return views.delivery_page(request, views.CONSOLE, delivery_id)


def _blurb(actor: Any) -> str:
    failing = selectors.failing_endpoints_count()
    return f"{selectors.site_endpoints().count()} site-wide" + (f", {failing} disabled for failing" if failing else "")


console_section(
    slug="webhooks",
    title="Webhooks",
    perm=Perm.WEBHOOKS_SITE_MANAGE,
    order=95,
    description="Site-wide webhook endpoints: every performer's events, signed; the delivery log and replays.",
    view=endpoints,
    template="webhooks/console/endpoints.html",
    routes=[
        path("deliveries/<str:delivery_id>/", delivery, name="delivery"),
        path("<str:endpoint_id>/", endpoint, name="endpoint"),
        path("<str:endpoint_id>/<str:action>", endpoint_action, name="action"),
    ],
    blurb=_blurb,
)
