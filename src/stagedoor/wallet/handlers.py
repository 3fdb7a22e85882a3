"""The wallet's outbox handlers. Idempotent: the outbox delivers each event to each handler once."""

from __future__ import annotations

from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.wallet.events import TIP_SENT, TipSent
from stagedoor.wallet.services import tip_goal_progress_check


@outbox_handler(TIP_SENT, name="wallet.tip_goal_progress")
def on_tip_sent(event: OutboxEvent, payload: TipSent) -> None:
    tip_goal_progress_check(performer_id=payload["performer_id"])
