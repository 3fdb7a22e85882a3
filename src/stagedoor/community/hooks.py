"""What community plugs into chat (`chat.perks`), installed once from `CommunityConfig.ready()`.

A chat ticket carries the person's level as a flag — "vl3" (viewer level 3, from level 2 up), and in their own room
a performer's "pl2" — and "top" for last month's top supporter of the room's performer; chat draws each as a badge
next to the name (labels registered here: "Lv 3", "★ 2", "Top supporter"). Two primary-key reads per ticket.
"""

from __future__ import annotations

from typing import Any

from stagedoor.chat.perks import register_badge, set_flag_provider
from stagedoor.community import levels
from stagedoor.community.selectors import is_top_supporter, level_of


def community_flags(user: Any, room: Any) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    level = level_of(user.pk)
    flags: list[str] = []
    if room.performer_id == user.pk:
        if level is not None and level.performer_level:
            flags.append(levels.performer_flag(level.performer_level))
        return flags
    if level is not None and level.viewer_level > 1:  # level 1 is everyone: no badge for it
        flags.append(levels.viewer_flag(level.viewer_level))
    if is_top_supporter(user.pk, room.performer_id):
        flags.append(levels.TOP_FLAG)
    return flags


def install() -> None:
    set_flag_provider("community", community_flags)
    for n in range(1, len(levels.VIEWER_LEVELS) + 1):
        register_badge(levels.viewer_flag(n), f"Lv {n}")
    for n in range(1, len(levels.PERFORMER_LEVELS) + 1):
        register_badge(levels.performer_flag(n), f"★ {n}")
    register_badge(levels.TOP_FLAG, "Top supporter")
