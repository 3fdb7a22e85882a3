"""The room page's show card and the studio's show tools (rooms' templates include them by hook)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("shows/_room_card.html", takes_context=True)
def room_show_card(context: Any, room: Any) -> dict[str, Any]:
    """Private show / join group / buy ticket / spy, as the viewer looking at `room` may."""
    from stagedoor.accounts.roles import Perm, role_has
    from stagedoor.shows import selectors

    request = context["request"]
    user = request.user
    status = selectors.room_show_status(room, viewer=user)
    return {
        "room": room,
        "status": status,
        "user": user,
        "is_owner": user.is_authenticated and user.pk == room.performer_id,
        "can_join": user.is_authenticated and role_has(user.role, Perm.SHOW_JOIN) and user.pk != room.performer_id,
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("shows/_studio_tools.html", takes_context=True)
def studio_show_tools(context: Any) -> dict[str, Any]:
    """Show settings, pending private requests, the running show and ticket scheduling for the studio."""
    from stagedoor.accounts.roles import Perm, role_has
    from stagedoor.shows import selectors

    request = context["request"]
    user = request.user
    base = {"csrf_token": context.get("csrf_token"), "request": request}
    if not (user.is_authenticated and role_has(user.role, Perm.SHOW_HOST)):
        return {**base, "refused": True}
    room = getattr(user, "room", None)
    config = selectors.shows_config()
    return {
        **base,
        "settings": selectors.settings_of(user),
        "requests": list(selectors.pending_requests(user)),
        "running": selectors.open_show_of_room(room) if room is not None else None,
        "tickets": list(selectors.scheduled_tickets(room)) if room is not None else [],
        "recent": selectors.shows_of_performer(user, limit=5),
        "rate_min": config.rate_min,
        "rate_max": config.rate_max,
        "ticket_max": config.ticket_max,
    }


@register.simple_tag(takes_context=True)
def show_media_stage(context: Any, show: Any) -> str:
    """The media helper's live video card (`shows/media/_stage.html`) for `show`, or "" when it is not there
    (or cannot render yet): the show page then keeps its own plain <video> and `startMedia` hook."""
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template
    from django.urls import NoReverseMatch
    from django.utils.safestring import mark_safe

    try:
        rendered = get_template("shows/media/_stage.html").render(
            {**context.flatten(), "show": show}, context.get("request")
        )
    except (TemplateDoesNotExist, NoReverseMatch):
        return ""
    return mark_safe(rendered)  # noqa: S308 - a template of ours, rendered with autoescape
