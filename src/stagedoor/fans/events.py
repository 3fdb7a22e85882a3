"""Outbox topics fans publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class MembershipChanged(TypedDict):
    membership_id: str
    club_id: str
    user_id: str
    status: str
    period_index: int
    step: str  # joined | renewed | grace | lapsed | cancelled | resumed | ended


class PostPublished(TypedDict):
    post_id: str
    club_id: str


class MessageSent(TypedDict):
    message_id: str
    thread_id: str
    sender_id: str
    status: str


class MessageHeld(TypedDict):
    message_id: str
    reason: str


MEMBERSHIP_CHANGED: Topic[MembershipChanged] = Topic("fans.membership_changed")
POST_PUBLISHED: Topic[PostPublished] = Topic("fans.post_published")
MESSAGE_SENT: Topic[MessageSent] = Topic("fans.message_sent")
MESSAGE_HELD: Topic[MessageHeld] = Topic("fans.message_held")
