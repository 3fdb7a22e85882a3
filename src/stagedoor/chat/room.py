"""A room's chat state on one node: mode, bans, time-outs, the room's word list and the
classifier's per-room actions (category -> "allow" | "hold" | "block"; chat only carries these
strings, moderation's classifier gives them meaning).

The state is *derived from the timeline*: every node applies the same sequenced events
(``room.mode``, ``user.banned``, ``user.timed_out``...) in the same order, so every node
enforces the same rules without asking anyone. A node that opens a room starts from the
stored state (loaded by the Django side) and then follows the events. Pure, no I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline.contacts import ContactPolicy
from stagedoor.chat.pipeline.wordlist import WordList


@dataclass(frozen=True, slots=True)
class RoomMode:
    slow_seconds: int = 0
    audience: str = C.AUDIENCE_EVERYONE
    links: bool = True
    emails: bool = True
    phones: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def contacts(self) -> ContactPolicy:
        return ContactPolicy(links=self.links, emails=self.emails, phones=self.phones)

    def changed(self, **changes: Any) -> RoomMode:
        clean = {k: v for k, v in changes.items() if v is not None}
        if "slow_seconds" in clean and not 0 <= clean["slow_seconds"] <= C.SLOW_MODE_MAX_SECONDS:
            raise ValueError("slow mode out of range")
        if "audience" in clean and clean["audience"] not in C.AUDIENCES:
            raise ValueError("unknown audience")
        return replace(self, **clean)


@dataclass
class RoomState:
    room: str
    mode: RoomMode = field(default_factory=RoomMode)
    words: WordList = field(default_factory=WordList)
    banned: set[str] = field(default_factory=set)
    #: user id -> wall-clock second the time-out ends
    timeouts: dict[str, float] = field(default_factory=dict)
    #: category -> action, as the room stored them (replaced whole, never mutated)
    classifier_actions: dict[str, str] = field(default_factory=dict)

    def is_banned(self, user_id: str | None) -> bool:
        return user_id is not None and user_id in self.banned

    def timed_out_for(self, user_id: str | None, now: float) -> float:
        """Seconds left on the user's time-out (0 when none)."""
        if user_id is None:
            return 0.0
        until = self.timeouts.get(user_id)
        if until is None:
            return 0.0
        if until <= now:
            del self.timeouts[user_id]
            return 0.0
        return until - now

    def apply(self, event: dict[str, Any]) -> None:
        """Fold one timeline event into the state (idempotent per event)."""
        kind = event.get("type")
        if kind == C.EV_ROOM_MODE:
            mode = event.get("mode") or {}
            self.mode = RoomMode(**{k: mode[k] for k in RoomMode.__dataclass_fields__ if k in mode})
        elif kind == C.EV_USER_BANNED:
            self.banned.add(str(event["user_id"]))
            self.timeouts.pop(str(event["user_id"]), None)
        elif kind == C.EV_USER_UNBANNED:
            self.banned.discard(str(event["user_id"]))
            self.timeouts.pop(str(event["user_id"]), None)
        elif kind == C.EV_USER_TIMED_OUT:
            self.timeouts[str(event["user_id"])] = float(event["until"])
        elif kind == C.EV_ROOM_SETTINGS:
            words = event.get("words")
            if isinstance(words, list):
                self.words = WordList(w for w in words if isinstance(w, str) and w.strip())
            if "classifier_actions" in event:
                self.classifier_actions = string_map(event["classifier_actions"])


def string_map(value: Any) -> dict[str, str]:
    """The str -> str pairs of a stored or received mapping; anything else is dropped."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
