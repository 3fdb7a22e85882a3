"""Pages of webhooks: a performer's /studio/webhooks (their endpoints, the delivery log, replays) — and the same
pages for the staff console's site-wide endpoints (console.py mounts them with `CONSOLE`). Forms call services;
a refusal is shown on the form or as the page's message, and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm, role_has
from stagedoor.core.errors import ApplicationError
from stagedoor.core.forms import apply_error, refusal_text
from stagedoor.core.middleware import client_ip
from stagedoor.webhooks import events, selectors, services
from stagedoor.webhooks.forms import EndpointForm
from stagedoor.webhooks.models import Delivery, Endpoint


@dataclass(frozen=True)
class Place:
    """Where the pages live: the studio (a performer's own endpoints) or the console (site-wide ones)."""

    base: str  # "/studio/webhooks" or "/staff/webhooks"
    scope: str
    perm: str
    templates: tuple[str, str, str]  # list, endpoint, delivery

    def url(self, *parts: str) -> str:
        return "/".join([self.base, *parts]) + ("/" if self.base.startswith("/staff/") else "")


STUDIO = Place(
    base="/studio/webhooks",
    scope=Endpoint.Scope.PERFORMER,
    perm=Perm.WEBHOOKS_MANAGE,
    templates=("webhooks/endpoints.html", "webhooks/endpoint.html", "webhooks/delivery.html"),
)
CONSOLE = Place(
    base="/staff/webhooks",
    scope=Endpoint.Scope.SITE,
    perm=Perm.WEBHOOKS_SITE_MANAGE,
    templates=(
        "webhooks/console/endpoints.html",
        "webhooks/console/endpoint.html",
        "webhooks/console/delivery.html",
    ),
)


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _refused(request: HttpRequest, place: Place) -> HttpResponse | None:
    if place is STUDIO and not role_has(_me(request).role, place.perm):
        return render(
            request, "web/message.html", {"title": "Webhooks", "message": "This page is for performers."}, status=403
        )
    return None


def _endpoints(request: HttpRequest, place: Place) -> list[Endpoint]:
    qs = selectors.site_endpoints() if place.scope == Endpoint.Scope.SITE else selectors.endpoints_of(_me(request))
    return list(qs)


def _endpoint(request: HttpRequest, place: Place, endpoint_id: str) -> Endpoint:
    try:
        endpoint = selectors.access_endpoint(_me(request), endpoint_id)
    except ApplicationError:
        raise Http404 from None
    if endpoint.scope != place.scope:
        raise Http404
    return endpoint


def endpoints_page(request: HttpRequest, place: Place) -> HttpResponse:
    """The endpoints and a form for a new one; after creating, the secret is on this page, once."""
    refused = _refused(request, place)
    if refused is not None:
        return refused
    form = EndpointForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"place": place, "event_types": events.EVENT_TYPES}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint, secret = services.endpoint_create(
                    actor=_me(request),
                    scope=place.scope,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                apply_error(form, exc)
                status = 422
            else:
                context.update(created=endpoint, secret=secret)
                form = EndpointForm()
        else:
            status = 422
    context.update(form=form, endpoints=_endpoints(request, place))
    return render(request, place.templates[0], context, status=status)


def endpoint_page(request: HttpRequest, place: Place, endpoint_id: str, *, secret: str = "") -> HttpResponse:
    refused = _refused(request, place)
    if refused is not None:
        return refused
    endpoint = _endpoint(request, place, endpoint_id)
    form = EndpointForm(
        request.POST if request.method == "POST" and not secret else None,
        initial={"url": endpoint.url, "event_types": endpoint.event_types, "description": endpoint.description},
    )
    status = 200
    if request.method == "POST" and not secret:
        if form.is_valid():
            try:
                services.endpoint_update(
                    actor=_me(request),
                    endpoint_id=endpoint.pk,
                    url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"],
                    description=form.cleaned_data["description"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                apply_error(form, exc)
                status = 422
            else:
                messages.success(request, "Saved.")
                return HttpResponseRedirect(place.url(endpoint.pk))
        else:
            status = 422
    wanted = request.GET.get("status", "")
    context = {
        "place": place,
        "endpoint": endpoint,
        "form": form,
        "secret": secret,
        "status_filter": wanted if wanted in Delivery.Status.values else "",
        "statuses": Delivery.Status.choices,
        "counts": selectors.counts_by_status(endpoint),
        "deliveries": selectors.deliveries_of(
            endpoint, status=wanted if wanted in Delivery.Status.values else "", limit=100
        ),
    }
    return render(request, place.templates[1], context, status=status)


def endpoint_action(request: HttpRequest, place: Place, endpoint_id: str, action: str) -> HttpResponse:
    """A button on the endpoint page: rotate, enable, disable, test, delete."""
    refused = _refused(request, place)
    if refused is not None:
        return refused
    endpoint = _endpoint(request, place, endpoint_id)
    me, ip = _me(request), client_ip(request)
    try:
        if action == "rotate":
            _, secret = services.endpoint_rotate_secret(actor=me, endpoint_id=endpoint.pk, ip=ip)
            request.method = "GET"
            return endpoint_page(request, place, endpoint.pk, secret=secret)
        if action == "enable":
            services.endpoint_enable(actor=me, endpoint_id=endpoint.pk, ip=ip)
            messages.success(request, "Enabled: held deliveries are on their way.")
        elif action == "disable":
            services.endpoint_disable(actor=me, endpoint_id=endpoint.pk, ip=ip)
            messages.success(request, "Disabled: new events are kept until you enable it again.")
        elif action == "test":
            services.endpoint_test(actor=me, endpoint_id=endpoint.pk)
            messages.success(request, "A test event is on its way; it shows in the log below.")
        elif action == "delete":
            services.endpoint_delete(actor=me, endpoint_id=endpoint.pk, ip=ip)
            messages.success(request, "The endpoint is removed.")
            return HttpResponseRedirect(place.url())
        else:
            raise Http404
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from None
        messages.error(request, refusal_text(exc))
    return HttpResponseRedirect(place.url(endpoint.pk))


def delivery_page(request: HttpRequest, place: Place, delivery_id: str) -> HttpResponse:
    refused = _refused(request, place)
    if refused is not None:
        return refused
    try:
        delivery = selectors.access_delivery(_me(request), delivery_id)
    except ApplicationError:
        raise Http404 from None
    if delivery.endpoint.scope != place.scope:
        raise Http404
    if request.method == "POST":
        try:
            attempt = services.delivery_replay(actor=_me(request), delivery_id=delivery.pk, ip=client_ip(request))
        except ApplicationError as exc:
            if exc.status == 404:
                raise Http404 from None
            messages.error(request, refusal_text(exc))
        else:
            text = f"Sent again: {attempt.get_outcome_display()}"
            if attempt.status_code:
                text += f" (HTTP {attempt.status_code})"
            (messages.success if attempt.outcome == "ok" else messages.error)(request, text + ".")
        return HttpResponseRedirect(place.url("deliveries", delivery.pk))
    context = {
        "place": place,
        "delivery": delivery,
        "endpoint": delivery.endpoint,
        "attempts": selectors.attempts_of(delivery),
    }
    return render(request, place.templates[2], context)


# --- the studio's routes -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def studio_endpoints(request: HttpRequest) -> HttpResponse:
    return endpoints_page(request, STUDIO)


@login_required
@require_http_methods(["GET", "POST"])
def studio_endpoint(request: HttpRequest, endpoint_id: str) -> HttpResponse:
    return endpoint_page(request, STUDIO, endpoint_id)


@login_required
@require_POST
def studio_endpoint_action(request: HttpRequest, endpoint_id: str, action: str) -> HttpResponse:
    return endpoint_action(request, STUDIO, endpoint_id, action)


@login_required
@require_http_methods(["GET", "POST"])
def studio_delivery(request: HttpRequest, delivery_id: str) -> HttpResponse:
    return delivery_page(request, STUDIO, delivery_id)
