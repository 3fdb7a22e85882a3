"""Template filters for money: integer minor units shown as decimals, never through floats."""

from __future__ import annotations

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
    from stagedoor.accounts.roles import Perm, role_has
    from stagedoor.wallet import selectors

    user = context["request"].user
    performer = room.performer
    return {
        "room": room,
        "performer": performer,
        "panel": selectors.tip_panel(performer),
        "balance": selectors.wallet_balance(user) if user.is_authenticated else None,
        "can_tip": user.is_authenticated and role_has(user.role, Perm.TIP_SEND) and user.pk != performer.pk,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
