"""Template helpers of the chat panel."""

from __future__ import annotations

import json

from django import template

from stagedoor.chat.perks import badge_labels
from stagedoor.chat.pipeline.size import DEFAULT_MAX_CHARS

register = template.Library()


@register.simple_tag
def chat_max_chars() -> int:
    """The longest message the pipeline accepts: the panel's counter counts down to it."""
    return DEFAULT_MAX_CHARS


@register.simple_tag
def chat_badge_labels() -> str:
    """The badges apps registered (chat/perks.py) as JSON `{flag: label}`: the panel shows labels, not flags."""
    return json.dumps(badge_labels(), sort_keys=True)
