"""The studio's webhooks card: how many endpoints, and whether one was disabled for failing."""

from __future__ import annotations

from typing import Any

from django import template

from stagedoor.accounts.roles import Perm, role_has
from stagedoor.webhooks import selectors
from stagedoor.webhooks.models import Endpoint

register = template.Library()


@register.simple_tag(takes_context=True)
def webhooks_card(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False) or not role_has(user.role, Perm.WEBHOOKS_MANAGE):
        return {"show": False}
    endpoints = list(selectors.endpoints_of(user))
    return {
        "show": True,
        "total": len(endpoints),
        "active": sum(1 for e in endpoints if e.status == Endpoint.Status.ACTIVE),
        "failing": sum(1 for e in endpoints if e.disabled_reason == "failing"),
    }
