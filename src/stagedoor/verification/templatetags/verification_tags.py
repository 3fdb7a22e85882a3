"""Template tags of verification: the studio's "can I go live?" box."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from stagedoor.core.gates import PUBLISH, GateContext, gate_refusal
from stagedoor.verification import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def publish_readiness(context: Any) -> dict[str, Any]:
    """What the publish gate says about the signed-in performer now, their standing and who is declared."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"refusal": None, "standing": None, "declared": []}
    room = context.get("room")
    return {
        "refusal": gate_refusal(PUBLISH, GateContext(user=user, room=room)),
        "standing": selectors.standing_of(user.pk, now=timezone.now()),
        "declared": [c for c in selectors.coperformers_of(user) if c.declared],
    }
