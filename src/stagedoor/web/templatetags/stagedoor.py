"""Template helpers shared by every page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def optional_include(context: Any, name: str) -> SafeString | str:
    """Render `name` with the current context if an installed app provides it, else nothing.

    The room page uses this for the panels other apps contribute (player, chat, tips), so
    a page never breaks because an app is not installed.
    """
    try:
        tpl = get_template(name)
    except template.TemplateDoesNotExist:
        return ""
    return tpl.render(context.flatten(), context.get("request"))
