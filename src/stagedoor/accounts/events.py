"""Outbox topics accounts publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class AccountCreated(TypedDict):
    user_id: str


ACCOUNT_CREATED: Topic[AccountCreated] = Topic("account.created")
