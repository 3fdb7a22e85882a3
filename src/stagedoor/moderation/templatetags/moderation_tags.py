"""The studio's content-policy card: what the performer allows on camera, read by the frame scanner."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("moderation/_studio_policy.html")
def studio_content_policy(room: Any) -> dict[str, Any]:
    from stagedoor.moderation import selectors

    policy = selectors.room_policy_for_scanner(room.slug)
    return {
        "room": room,
        "non_nude": policy.non_nude if policy is not None else False,
        "regions": " ".join(policy.restricted_regions) if policy is not None else "",
    }
