"""Outbox topics shows publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class ShowChanged(TypedDict):
    show_id: str
    room_id: str
    performer_id: str
    kind: str
    status: str  # the new ShowStatus
    reason: str  # why it ended / was declined ("" otherwise)


class ParticipantLeft(TypedDict):
    show_id: str
    participant_id: str
    user_id: str
    role: str
    status: str  # left / dropped / released
    reason: str  # "left", "funds", "gone", "ended", "declined", "expired", "cancelled"…
    minutes_billed: int


class LowFunds(TypedDict):
    show_id: str
    participant_id: str
    user_id: str
    balance: int
    rate: int
    minutes_left: int  # whole minutes the wallet still covers


SHOW_CHANGED: Topic[ShowChanged] = Topic("show.changed")
SHOW_PARTICIPANT_LEFT: Topic[ParticipantLeft] = Topic("show.participant_left")
SHOW_LOW_FUNDS: Topic[LowFunds] = Topic("show.low_funds")
