"""What fans plugs into the apps below it, installed once from `FansConfig.ready()`:

- chat's flag provider (`chat.perks`): a member in good standing of the room performer's fan club gets the `fan`
  flag on their chat ticket — it draws the "Fan" badge next to their name and lets them write when the performer
  has switched the chat to fans only (`AUDIENCE_FANS`; the performer and staff are exempt as moderators).
"""

from __future__ import annotations

from typing import Any

from stagedoor.chat.perks import register_badge, set_flag_provider
from stagedoor.fans.selectors import is_fan

FAN_FLAG = "fan"


def fan_flags(user: Any, room: Any) -> list[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [FAN_FLAG] if is_fan(user_id=user.pk, performer_id=room.performer_id) else []


def install() -> None:
    set_flag_provider("fans", fan_flags)
    register_badge(FAN_FLAG, "Fan")
