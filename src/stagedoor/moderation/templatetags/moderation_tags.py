"""The studio's policy card: what the performer allows on camera (read by the frame scanner) and what the chat
classifier does in their room with each category of line."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

#: what a performer may choose per category ("" follows the platform); a floor removes the choices below it
_CHOICES = ("allow", "hold", "block")
_CHOICE_TITLES = {"allow": "Allow", "hold": "Hold for review", "block": "Block"}


def chat_policy_rows(room: Any) -> list[dict[str, Any]]:
    """One row per classifier category: its title, the platform's action, the room's choice and the choices."""
    from stagedoor.chat.pipeline.classifier import Action
    from stagedoor.chat.selectors import chat_classifier_actions
    from stagedoor.moderation import policies as P
    from stagedoor.moderation.text.classifier import shared_policy
    from stagedoor.moderation.text.policy import CATEGORIES, FLOORS, room_action

    platform = shared_policy().platform
    stored = chat_classifier_actions(room)
    rows = []
    for category in CATEGORIES:
        floor = FLOORS.get(category)
        chosen = room_action(stored, category)
        rows.append(
            {
                "category": category,
                "title": P.CATEGORIES[category].title,
                "default": _CHOICE_TITLES[platform[category].name.lower()].lower(),
                "current": chosen.name.lower() if chosen is not None else "",
                "choices": [(c, _CHOICE_TITLES[c]) for c in _CHOICES if floor is None or Action[c.upper()] >= floor],
            }
        )
    return rows


@register.inclusion_tag("moderation/_studio_policy.html")
def studio_content_policy(room: Any) -> dict[str, Any]:
    from stagedoor.moderation import selectors

    policy = selectors.room_policy_for_scanner(room.slug)
    return {
        "room": room,
        "non_nude": policy.non_nude if policy is not None else False,
        "regions": " ".join(policy.restricted_regions) if policy is not None else "",
        "chat_rows": chat_policy_rows(room),
    }
