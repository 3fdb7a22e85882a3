"""Outbox topics accounts publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class AccountCreated(TypedDict):
    user_id: str


ACCOUNT_CREATED: Topic[AccountCreated] = Topic("account.created")


class NewDeviceSignIn(TypedDict):
    user_id: str
    session_id: str


# A sign-in from a device the user has not used before: accounts mails them a notice.
NEW_DEVICE_SIGNIN: Topic[NewDeviceSignIn] = Topic("account.new_device_signin")
