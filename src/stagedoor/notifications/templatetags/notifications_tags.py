"""The notifications card of the account page (`{% include "notifications/_account_card.html" %}`)."""

from __future__ import annotations

from typing import Any

from django import template

from stagedoor.notifications import selectors, services

register = template.Library()


@register.inclusion_tag("notifications/_account_card_body.html", takes_context=True)
def notifications_card(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    pref = selectors.preference_of(user)
    return {
        "pref": pref,
        "devices": list(selectors.devices_of(user)),
        "timezones": sorted(services.timezones()),
        "recent": selectors.notifications_of(user, limit=5),
        "csrf_token": context.get("csrf_token"),
    }
