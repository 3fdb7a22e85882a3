"""Template tags of payouts: the studio's "Payout method" card."""

from __future__ import annotations

from typing import Any

from django import template

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.payouts import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def payout_method_card(context: Any) -> dict[str, Any]:
    """The signed-in performer's current payout method (masked) and what keeps them from being paid."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not role_has(user.role, Perm.PAYOUT_DETAILS_MANAGE):
        return {"show": False}
    return {"show": True, "current": selectors.current_payout_method(user), "blockers": selectors.payout_blockers(user)}
