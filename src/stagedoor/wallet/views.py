"""Pages: a performer's earnings, a tip page, and the studio's tip menu and goal editors (forms posted from
the studio, answered with the editor's card for htmx or a redirect back to the studio without it).
(The wallet page, where tokens are bought, is payments'.)"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.core.errors import ApplicationError, ValidationFailed
from stagedoor.core.middleware import client_ip
from stagedoor.wallet import selectors, services
from stagedoor.wallet.api import earnings_csv_response


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Not possible", "message": exc.message}, status=exc.status)


@login_required
def earnings(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    context = {
        "earnings": selectors.earnings_of(performer),
        "daily": selectors.earnings_daily(performer, days=30),
    }
    return render(request, "wallet/earnings.html", context)


@login_required
def earnings_csv(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    return earnings_csv_response(performer, days=90)


def tip_page(request: HttpRequest, login: str) -> HttpResponse:
    """A stand-alone tip page for a performer, until rooms include `wallet/_tip_panel.html` themselves."""
    try:
        performer = selectors.performer_by_login(login)
    except ApplicationError as exc:
        return _refused(request, exc)
    viewer = selectors.tip_panel_viewer(request.user, performer)
    context = {
        "performer": performer,
        "panel": selectors.tip_panel(performer),
        "balance": selectors.wallet_balance(request.user) if viewer == "tipper" else None,
        "can_tip": viewer == "tipper",
        "viewer_kind": viewer,
    }
    return render(request, "wallet/tip.html", context)


# --- studio: tip menu and goals ------------------------------------------------------------

FIELD_NAMES = {"label": "Label", "price": "Price", "title": "Title", "target": "Target", "goal": "Goal"}


def _error_text(exc: ApplicationError) -> str:
    """A refusal as one line, naming the fields: "Price: Use a whole number from 1 to 1000000." """
    fields = (exc.extra or {}).get("fields") or {}
    if fields:
        return " ".join(f"{FIELD_NAMES.get(name, name.title())}: {' '.join(msgs)}" for name, msgs in fields.items())
    return exc.message


def _number(raw: str | None) -> Any:
    """A form's whole number as an int; anything else as given, for the service to refuse by name."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else text


def _studio_reply(
    request: HttpRequest, performer: User, card: str, *, notice: str = "", error: ApplicationError | None = None
) -> HttpResponse:
    """htmx: the editor's card, re-rendered, with the refusal shown next to the forms (200: htmx swaps only 2xx,
    and a 4xx would be a console error). Without htmx: back to the studio, the outcome as a flash message."""
    text = _error_text(error) if error is not None else ""
    if request.headers.get("HX-Request") == "true":
        context = {**selectors.studio_tip_tools(performer), "notice": notice, "error": text}
        response = render(request, f"wallet/_studio_{card.replace('-', '_')}.html", context)
        if error is not None:
            response["X-Stagedoor-Refused"] = error.code
        return response
    if error is not None:
        messages.error(request, text)
    elif notice:
        messages.success(request, notice)
    return HttpResponseRedirect(f"/studio#studio-{card}")


def _studio_performer(request: HttpRequest) -> User:
    return require_perm(request.user, Perm.TIP_PANEL_MANAGE)  # type: ignore[arg-type]


@login_required
@require_POST
def studio_menu_add(request: HttpRequest) -> HttpResponse:
    try:
        performer = _studio_performer(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    try:
        item = services.tip_menu_item_create(
            performer=performer, label=request.POST.get("label", ""), price=_number(request.POST.get("price"))
        )
    except ApplicationError as exc:
        return _studio_reply(request, performer, "tip-menu", error=exc)
    return _studio_reply(request, performer, "tip-menu", notice=f"Added “{item.label}”.")


MENU_ACTIONS = {"save", "up", "down", "hide", "show", "delete"}


@login_required
@require_POST
def studio_menu_item(request: HttpRequest, item_id: str) -> HttpResponse:
    """One item's form: save (label, price), up, down, hide, show or delete, by the button pressed."""
    try:
        performer = _studio_performer(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    action = request.POST.get("action", "save")
    try:
        if action == "save":
            item = services.tip_menu_item_update(
                performer=performer,
                item_id=item_id,
                label=request.POST.get("label", ""),
                price=_number(request.POST.get("price")),
            )
            notice = f"Saved “{item.label}”."
        elif action in {"up", "down"}:
            item = services.tip_menu_item_move(
                performer=performer, item_id=item_id, direction=action, ip=client_ip(request)
            )
            notice = f"Moved “{item.label}” {action}."
        elif action in {"hide", "show"}:
            item = services.tip_menu_item_update(performer=performer, item_id=item_id, active=action == "show")
            notice = f"“{item.label}” is {'on the menu' if item.active else 'hidden from viewers'}."
        elif action == "delete":
            services.tip_menu_item_delete(performer=performer, item_id=item_id)
            notice = "Item deleted."
        else:
            raise ValidationFailed.of_field("action", f"Use one of {', '.join(sorted(MENU_ACTIONS))}.")
    except ApplicationError as exc:
        return _studio_reply(request, performer, "tip-menu", error=exc)
    return _studio_reply(request, performer, "tip-menu", notice=notice)


@login_required
@require_POST
def studio_goal_add(request: HttpRequest) -> HttpResponse:
    try:
        performer = _studio_performer(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    try:
        goal = services.tip_goal_create(
            performer=performer, title=request.POST.get("title", ""), target=_number(request.POST.get("target"))
        )
    except ApplicationError as exc:
        return _studio_reply(request, performer, "goals", error=exc)
    started = "started" if goal.status == goal.Status.ACTIVE else "queued"
    return _studio_reply(request, performer, "goals", notice=f"Goal “{goal.title}” {started}.")


GOAL_ACTIONS = {"save", "up", "down", "cancel"}


@login_required
@require_POST
def studio_goal_item(request: HttpRequest, goal_id: str) -> HttpResponse:
    """One open goal's form: save (title, target), up, down or cancel, by the button pressed."""
    try:
        performer = _studio_performer(request)
    except ApplicationError as exc:
        return _refused(request, exc)
    action = request.POST.get("action", "save")
    ip = client_ip(request)
    try:
        if action == "save":
            goal = services.tip_goal_update(
                performer=performer,
                goal_id=goal_id,
                title=request.POST.get("title", ""),
                target=_number(request.POST.get("target")),
                ip=ip,
            )
            notice = f"Goal “{goal.title}” reached!" if goal.status == goal.Status.REACHED else "Goal saved."
        elif action in {"up", "down"}:
            goal = services.tip_goal_move(performer=performer, goal_id=goal_id, direction=action, ip=ip)
            notice = f"Moved “{goal.title}” {action}."
        elif action == "cancel":
            goal = services.tip_goal_cancel(performer=performer, goal_id=goal_id)
            notice = f"Goal “{goal.title}” cancelled."
        else:
            raise ValidationFailed.of_field("action", f"Use one of {', '.join(sorted(GOAL_ACTIONS))}.")
    except ApplicationError as exc:
        return _studio_reply(request, performer, "goals", error=exc)
    return _studio_reply(request, performer, "goals", notice=notice)
