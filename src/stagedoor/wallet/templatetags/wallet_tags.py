"""Template filters for money (integer minor units shown as decimals, never through floats), the room page's tip
panel and the studio's tip menu and goal editors."""

from __future__ import annotations

import time
from typing import Any

from django import template

from stagedoor.core.currency import currency_exponent, minor_to_decimal_string

register = template.Library()


@register.filter
def money(amount_minor: int | None, currency: str = "USD") -> str:
    if amount_minor is None:
        return ""
    return f"{minor_to_decimal_string(int(amount_minor), currency_exponent(currency))} {currency}"


@register.filter
def signed(amount: int) -> str:
    return f"{int(amount):+d}"


@register.inclusion_tag("wallet/_room_tip_panel.html", takes_context=True)
def room_tip_panel(context: Any, room: Any) -> dict[str, Any]:
    """The tip panel (menu, goal, tip form) for a room page, with what it needs to render."""
    from stagedoor.wallet import selectors

    request = context["request"]
    user = request.user
    performer = room.performer
    viewer = selectors.tip_panel_viewer(user, performer)
    return {
        "room": room,
        "performer": performer,
        "panel": selectors.tip_panel(performer),
        "balance": selectors.wallet_balance(user) if viewer == "tipper" else None,
        "can_tip": viewer == "tipper",
        "viewer_kind": viewer,
        "user": user,
        "rendered_ms": int(time.time() * 1000),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }


@register.inclusion_tag("wallet/_studio_tools.html", takes_context=True)
def studio_tip_tools(context: Any) -> dict[str, Any]:
    """The studio's tip menu and goal editors, and the performer's earnings at a glance."""
    from stagedoor.accounts.roles import Perm, role_has
    from stagedoor.accounts.selectors import require_perm
    from stagedoor.core.errors import ApplicationError
    from stagedoor.wallet import selectors

    request = context["request"]
    base = {"csrf_token": context.get("csrf_token"), "request": request}
    try:
        performer = require_perm(request.user, Perm.TIP_PANEL_MANAGE)
    except ApplicationError as exc:
        return {**base, "refused": exc.message}
    earnings = selectors.earnings_of(performer) if role_has(performer.role, Perm.EARNINGS_READ) else None
    return {**base, **selectors.studio_tip_tools(performer), "earnings": earnings}
