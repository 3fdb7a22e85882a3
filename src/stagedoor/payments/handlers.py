"""Payments' outbox handlers: the sandbox processor delivering its postbacks (retried by the outbox until
accepted)."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.payments.events import SANDBOX_POSTBACK, SandboxPostback
from stagedoor.payments.services import sandbox_deliver


class PostbackNotAccepted(Exception):
    """The postback endpoint asked for a retry (out of order, or a transient failure)."""


@outbox_handler(SANDBOX_POSTBACK, name="payments.sandbox_deliver")
def deliver_sandbox_postback(event: OutboxEvent, payload: SandboxPostback) -> None:
    reply = sandbox_deliver(body=payload["body"])
    # Like a real processor: retry on 409 / 5xx, give up on other refusals (they are logged).
    if reply.status == 409 or reply.status >= 500:
        raise PostbackNotAccepted(f"postback answered {reply.status}: {reply.body[:200]}")
