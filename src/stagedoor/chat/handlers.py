"""Chat's outbox handlers: it reacts to other apps' events after their transaction commits."""

from __future__ import annotations

import time

from stagedoor.chat import protocol
from stagedoor.chat.runtime import publish_from_sync
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.wallet.events import TIP_SENT, TipSent


@outbox_handler(TIP_SENT, name="chat.announce_tip")
def announce_tip(event: OutboxEvent, payload: TipSent) -> None:
    """Show the tip in the room's chat for everyone at once, then the goal's new progress."""
    from stagedoor.rooms.models import Room
    from stagedoor.wallet.selectors import active_goal

    room = Room.objects.filter(performer_id=payload["performer_id"]).only("slug").first()
    if room is None:
        return
    anonymous = payload["anonymous"]
    user = protocol.user_ref(
        None if anonymous else payload["sender_id"], "Anonymous" if anonymous else payload["sender_name"], "viewer"
    )
    now_ms = int(time.time() * 1000)
    note = payload["menu_label"] or payload["message"] or ""
    publish_from_sync(
        room.slug,
        protocol.tip_event(tip_id=payload["tip_id"], user=user, amount=payload["amount"], ts=now_ms, note=note),
    )
    goal = active_goal(payload["performer_id"])
    if goal is not None:
        publish_from_sync(
            room.slug,
            protocol.goal_event(
                goal_id=goal["id"], title=goal["title"], target=goal["target"], progress=goal["progress"], ts=now_ms
            ),
        )
