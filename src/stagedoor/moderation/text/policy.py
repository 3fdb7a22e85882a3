"""What happens to a line of each category: allow, hold for review, or block.

One action per category platform-wide, and per-room overrides: the ones a room stored
(chat's ``ChatRoomSettings.classifier_actions``, carried to the gateway in
``ClassifyContext.room_actions``: :func:`room_action` reads them leniently, ignoring what it does
not know), and ones held in memory (:meth:`PolicyTable.set_room`, for tools and tests). A stored
setting is validated on its way in (:func:`check_room_actions`). ``minor_risk`` is at least
``HOLD`` everywhere: neither the platform table nor a room may lower it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import ClassVar, Final

from stagedoor.chat.pipeline.classifier import Action
from stagedoor.core.errors import ApplicationError

__all__ = [
    "CATEGORIES",
    "DEFAULT_PLATFORM",
    "FLOORS",
    "PolicyInvalid",
    "PolicyTable",
    "check_room_actions",
    "parse_action",
    "parse_policy",
    "room_action",
]

CATEGORIES: Final = ("minor_risk", "off_platform", "scam", "doxxing", "harassment")
FLOORS: Final[dict[str, Action]] = {"minor_risk": Action.HOLD}
DEFAULT_PLATFORM: Final[dict[str, Action]] = {
    "minor_risk": Action.HOLD,
    "off_platform": Action.HOLD,
    "scam": Action.HOLD,
    "doxxing": Action.HOLD,
    "harassment": Action.HOLD,
}


class PolicyInvalid(ApplicationError):
    code: ClassVar[str] = "moderation.text_policy_invalid"
    status: ClassVar[int] = 422
    default_message: ClassVar[str] = "That chat moderation policy is not valid."


def parse_action(value: Action | str) -> Action:
    if isinstance(value, Action):
        return value
    try:
        return Action[str(value).strip().upper()]
    except KeyError:
        raise PolicyInvalid(f"unknown action {value!r} (allow, hold or block)", extra={"action": str(value)}) from None


def _checked(mapping: Mapping[str, Action | str], *, where: str) -> dict[str, Action]:
    out: dict[str, Action] = {}
    for category, value in mapping.items():
        if category not in CATEGORIES:
            raise PolicyInvalid(f"unknown category {category!r}", extra={"category": category, "where": where})
        action = parse_action(value)
        floor = FLOORS.get(category)
        if floor is not None and action < floor:
            raise PolicyInvalid(
                f"{category} is always at least {floor.name.lower()}",
                extra={"category": category, "where": where, "floor": floor.name.lower()},
            )
        out[category] = action
    return out


def check_room_actions(mapping: Mapping[str, Action | str]) -> dict[str, Action]:
    """A room's setting, strictly: every category known, every action allow/hold/block, no floor
    broken; else :class:`PolicyInvalid` naming the first problem (``extra``: ``category``, and
    ``floor`` when one would be broken)."""
    return _checked(mapping, where="room")


def room_action(stored: Mapping[str, str], category: str) -> Action | None:
    """The action a room stored for ``category``, or None when it stored none it could mean.
    Lenient (stored data may be older than this code): an unknown action is ignored, and a
    floor is raised to, never broken."""
    value = stored.get(category)
    if not isinstance(value, str):
        return None
    action = Action.__members__.get(value.strip().upper())
    if action is None:
        return None
    floor = FLOORS.get(category)
    return floor if floor is not None and action < floor else action


def parse_policy(spec: str) -> dict[str, Action]:
    """``"scam=block, harassment=hold"`` -> {category: action}; the format of
    ``STAGEDOOR_MODERATION_TEXT_POLICY``."""
    pairs: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        category, sep, action = part.partition("=")
        if not sep:
            raise PolicyInvalid(f"expected category=action, got {part.strip()!r}")
        pairs[category.strip()] = action.strip()
    return _checked(pairs, where="platform")


class PolicyTable:
    """Platform actions per category, with per-room overrides. Reads are lock-free (a room's
    mapping is replaced whole); writes take a lock."""

    def __init__(
        self,
        platform: Mapping[str, Action | str] | None = None,
        rooms: Mapping[str, Mapping[str, Action | str]] | None = None,
    ) -> None:
        self.platform: dict[str, Action] = {**DEFAULT_PLATFORM, **_checked(platform or {}, where="platform")}
        self.rooms: dict[str, dict[str, Action]] = {
            room: _checked(mapping, where=room) for room, mapping in (rooms or {}).items()
        }
        self._lock = threading.Lock()

    def set_room(self, room: str, mapping: Mapping[str, Action | str]) -> None:
        """Replace a room's overrides (an empty mapping drops them). Refused whole, changing
        nothing, if a category is unknown, an action is unknown or a floor would be broken."""
        checked = _checked(mapping, where=room)
        with self._lock:
            if checked:
                self.rooms[room] = checked
            else:
                self.rooms.pop(room, None)

    def set_platform(self, mapping: Mapping[str, Action | str]) -> None:
        checked = _checked(mapping, where="platform")
        with self._lock:
            self.platform = {**self.platform, **checked}

    def action(self, room: str | None, category: str, stored: Mapping[str, str] | None = None) -> Action:
        """``stored`` (the room's own setting) first, then the in-memory room overrides, then
        the platform's action."""
        if stored:
            chosen = room_action(stored, category)
            if chosen is not None:
                return chosen
        if room is not None:
            override = self.rooms.get(room)
            if override is not None and category in override:
                return override[category]
        return self.platform.get(category, Action.ALLOW)
