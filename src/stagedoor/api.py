"""The REST API under /api/v1: one NinjaAPI, one error shape for everything.

Every error is rendered as `{"code", "message", "extra"}` with the right status.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from stagedoor.accounts.api import router as accounts_router
from stagedoor.ads.api import router as ads_router
from stagedoor.affiliates.api import router as affiliates_router
from stagedoor.analytics.api import router as analytics_router
from stagedoor.chat.api import router as chat_router
from stagedoor.community.api import router as community_router
from stagedoor.core import strictjson
from stagedoor.core.errors import ApplicationError, RateLimited
from stagedoor.fans.api import router as fans_router
from stagedoor.moderation.api import router as moderation_router
from stagedoor.notifications.api import router as notifications_router
from stagedoor.payments.api import router as payments_router
from stagedoor.payouts.api import router as payouts_router
from stagedoor.privacy.api import router as privacy_router
from stagedoor.rooms.api import router as rooms_router
from stagedoor.shows.api import router as shows_router
from stagedoor.streaming.api import router as streaming_router
from stagedoor.support.api import router as support_router
from stagedoor.verification.api import router as verification_router
from stagedoor.wallet.api import router as wallet_router
from stagedoor.webhooks.api import router as webhooks_router

log = logging.getLogger("stagedoor.api")


class StrictJsonParser(Parser):
    """JSON object bodies without NUL characters (PostgreSQL text cannot hold them; nor should names) and
    without duplicate keys: `{"amount": 10, "amount": 20}` is 400 `request.duplicate_key` on every endpoint."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = strictjson.loads(request.body)  # DuplicateJsonKey: Ninja wraps it, `on_http_error` renders it
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")  # Ninja answers 400 request.malformed
        if _has_nul(data):
            raise ValueError("text may not contain NUL characters")  # Ninja answers 400 request.malformed
        return data


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


api = NinjaAPI(
    title="Stagedoor API",
    version="1",
    description="Stagedoor's REST API. Authenticate with a personal API token (`Authorization: Bearer sd_…`) "
    "or the session cookie (send the CSRF token in `X-CSRFToken`). Errors are `{code, message, extra}`.",
    urls_namespace="api",
    docs_url="/docs",
    parser=StrictJsonParser(),
)


def _render(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    extra: dict[str, object],
    *,
    retry_after: int = RateLimited.retry_after,
) -> HttpResponse:
    response = api.create_response(request, {"code": code, "message": message, "extra": extra}, status=status)
    if status == 429:  # every 429 says when to come back
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


@api.exception_handler(ApplicationError)
def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else RateLimited.retry_after
    return _render(api, request, exc.status, exc.code, exc.message, exc.extra, retry_after=retry_after)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: list[dict[str, object]] = []
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ())]
        msg = str(e.get("msg", ""))
        errors.append({"loc": loc, "msg": msg, "type": str(e.get("type", ""))})
        named = [part for part in loc if part not in {"body", "payload", "query", "path"}]
        fields.setdefault(named[-1] if named else "__all__", []).append(msg)
    return _render(
        api, request, 422, "validation_error", "Some fields are not valid.", {"fields": fields, "errors": errors}
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _render(api, request, 401, "auth.required", "Sign in or send a valid API token.", {})


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _render(api, request, 404, "not_found", "Not found.", {})


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ApplicationError):  # raised by the parser (e.g. a duplicate key); Ninja wrapped it
        return on_application_error(request, exc.__cause__)
    if exc.status_code == 403 and "CSRF" in str(exc):
        code = "csrf_failed"
    elif exc.status_code == 400:
        code = "request.malformed"
    else:
        code = f"http_{exc.status_code}"
    return _render(api, request, exc.status_code, code, str(exc), {})


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unhandled API error", extra={"path": request.path})
    return _render(api, request, 500, "internal_error", "Something went wrong on our side.", {})


api.add_router("/", accounts_router)
api.add_router("/", chat_router)
api.add_router("/", rooms_router)
api.add_router("/", streaming_router)
api.add_router("/", wallet_router)
api.add_router("/", payments_router)
api.add_router("/", moderation_router)
api.add_router("/", verification_router)
api.add_router("/", shows_router)
api.add_router("/", fans_router)
api.add_router("/", payouts_router)
api.add_router("/", analytics_router)
api.add_router("/", affiliates_router)
api.add_router("/", support_router)
api.add_router("/", ads_router)
api.add_router("/", notifications_router)
api.add_router("/", privacy_router)
api.add_router("/", community_router)
api.add_router("/", webhooks_router)
