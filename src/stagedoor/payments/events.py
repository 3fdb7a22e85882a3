"""Outbox topics payments publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class SandboxPostback(TypedDict):
    body: str  # the signed JSON the sandbox processor will POST, exactly as signed
    purchase_id: str


SANDBOX_POSTBACK: Topic[SandboxPostback] = Topic("payments.sandbox_postback")
