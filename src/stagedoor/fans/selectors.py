"""Reads of fan clubs, memberships, posts and messages. Other apps (shows, chat hooks, ads) call the first three."""

from __future__ import annotations

from typing import Any


def fan_discount_bp(*, user_id: Any, performer_id: Any) -> int:
    """The discount (basis points) `user_id` gets on `performer_id`'s show rates: 0 unless a fan in good standing."""
    return 0


def is_fan(*, user_id: Any, performer_id: Any) -> bool:
    """Whether `user_id` is a member of `performer_id`'s fan club in good standing (paid or in grace)."""
    return False


def ad_free(*, user_id: Any) -> bool:
    """Whether `user_id` browses without ads (a member of any fan club in good standing)."""
    return False
