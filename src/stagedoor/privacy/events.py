"""Outbox topics privacy publishes."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class RequestPayload(TypedDict):
    request_id: str
    user_id: str
    kind: str


REQUEST_RECEIVED: Topic[RequestPayload] = Topic("privacy.request_received")
REQUEST_COMPLETED: Topic[RequestPayload] = Topic("privacy.request_completed")
REQUEST_CANCELLED: Topic[RequestPayload] = Topic("privacy.request_cancelled")


class HoldPayload(TypedDict):
    hold_id: str
    user_id: str
    target_type: str
    target_id: str


HOLD_PLACED: Topic[HoldPayload] = Topic("privacy.hold_placed")
HOLD_RELEASED: Topic[HoldPayload] = Topic("privacy.hold_released")
