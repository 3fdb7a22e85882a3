"""Template helpers of the chat panel."""

from __future__ import annotations

from django import template

from stagedoor.chat.pipeline.size import DEFAULT_MAX_CHARS

register = template.Library()


@register.simple_tag
def chat_max_chars() -> int:
    """The longest message the pipeline accepts: the panel's counter counts down to it."""
    return DEFAULT_MAX_CHARS
