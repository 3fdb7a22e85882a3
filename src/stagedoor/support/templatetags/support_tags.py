"""The onboarding card the studio includes (`{% optional_include "support/_studio.html" %}`) until all is done."""

from __future__ import annotations

from typing import Any

from django import template

from stagedoor.support.onboarding import checklist_for

register = template.Library()


@register.inclusion_tag("support/_studio_card.html", takes_context=True)
def studio_onboarding(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"checklist": None}
    return {"checklist": checklist_for(user), "room": context.get("room")}
