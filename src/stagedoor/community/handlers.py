"""Outbox handlers of community (registered from apps.ready)."""

from __future__ import annotations

from stagedoor.community import services
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.wallet.events import TIP_SENT, TipSent


@outbox_handler(TIP_SENT, name="community.tip_awards")
def tip_awards(event: OutboxEvent, payload: TipSent) -> None:
    """The sender's "first tip" badge and viewer level. (The leaderboards need nothing: they read the ledger.)"""
    services.tip_awards(sender_id=payload["sender_id"])
