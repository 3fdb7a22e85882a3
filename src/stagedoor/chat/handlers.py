"""Chat's outbox handlers: it reacts to other apps' events after their transaction commits."""

from __future__ import annotations

import time

from stagedoor.chat import protocol
from stagedoor.chat.runtime import publish_from_sync
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import outbox_handler
from stagedoor.wallet.events import TIP_GOAL_REACHED, TIP_SENT, TipGoalReached, TipSent


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
    # A goal this tip fills is announced once, as reached, by announce_goal_reached (with the next goal).
    if goal is not None and goal["progress"] < goal["target"]:
        publish_from_sync(
            room.slug,
            protocol.goal_event(
                goal_id=goal["id"], title=goal["title"], target=goal["target"], progress=goal["progress"], ts=now_ms
            ),
        )


@outbox_handler(TIP_GOAL_REACHED, name="chat.announce_goal_reached")
def announce_goal_reached(event: OutboxEvent, payload: TipGoalReached) -> None:
    """Tell the room a goal was reached, and which goal starts next: room pages celebrate it."""
    from stagedoor.rooms.models import Room

    room = Room.objects.filter(performer_id=payload["performer_id"]).only("slug").first()
    if room is None:
        return
    nxt = payload["next_goal"]
    publish_from_sync(
        room.slug,
        protocol.goal_event(
            goal_id=payload["goal_id"],
            title=payload["title"],
            target=payload["target"],
            progress=payload["target"],
            ts=int(time.time() * 1000),
            next_goal={"id": nxt["goal_id"], "title": nxt["title"], "target": nxt["target"]} if nxt else None,
        ),
    )
