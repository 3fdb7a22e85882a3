"""A line the classifier blocks, in live chat through the gateway `stagedoor run` builds: the sender is refused,
the room sees nothing, the line is stored `blocked` with its outbox event, trust & safety records the automated
removal; a restarted gateway's history leaves it out; an upheld appeal announces it into the room."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from stagedoor.chat import codes as C
from stagedoor.chat import runtime
from stagedoor.chat.models import ChatMessage
from stagedoor.chat.tests.support import ChatClient, run
from stagedoor.core.models import OutboxEvent
from stagedoor.moderation import services
from stagedoor.moderation.models import Case, Decision

SCAM = "free tokens!!! claim at free-tokens.top"
BENIGN = "what song is this?"


def _ticket(api_client: Any, user: Any, room: Any) -> str:
    resp = api_client(user).post(f"/api/v1/chat/rooms/{room.slug}/ticket", content_type="application/json")
    assert resp.status_code == 200, resp.content
    ticket: str = resp.json()["ticket"]
    return ticket


def _recorded(message_id: str) -> tuple[Any, ...]:
    case = Case.objects.get(message_id=message_id)
    decision = Decision.objects.get(case=case)
    return (
        case.source,
        case.category,
        case.status,
        decision.automated,
        decision.policy_code,
        decision.action,
        decision.statement.restriction_summary,
    )


async def _history_of_a_fresh_gateway(room: str) -> list[str]:
    from stagedoor.chat.django_gateway import load_history
    from stagedoor.chat.fanout import InProcessChatBus
    from stagedoor.chat.gateway import ChatGateway, GatewayConfig

    fresh = ChatGateway(GatewayConfig(ticket_key=b"k" * 32), bus=InProcessChatBus(), history_loader=load_history)
    hub = await fresh.open_room(room)
    return [json.loads(frame)["text"] for frame in hub.history()]


@pytest.mark.django_db(transaction=True)
def test_a_blocked_line_is_refused_recorded_and_restored_on_appeal(make_user: Any, api_client: Any) -> None:
    from stagedoor.chat.django_gateway import build_gateway
    from stagedoor.chat.gateway import start_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    star = make_user("performer", login="lumen")
    room = room_for_performer(performer=star)
    services.room_chat_policy_set(actor=star, room=room, actions={"scam": "block"})
    fan, watcher = make_user("viewer", login="fan_one"), make_user("viewer", login="watcher")
    moderator = make_user("moderator", login="mona_mod")
    t_fan, t_watch = _ticket(api_client, fan, room), _ticket(api_client, watcher, room)
    runtime.set_bus(None)
    seen: dict[str, Any] = {}

    async def main() -> None:
        gw = build_gateway()
        gw.config.pipeline.ip_burst = None
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        runtime.set_bus(gw.bus, asyncio.get_running_loop())
        try:
            watch = await ChatClient.join(running.port, t_watch)
            f = await ChatClient.join(running.port, t_fan)
            refused = await f.say(SCAM, nonce="scam-1")
            assert (refused["type"], refused["code"], refused["ref"]) == (C.EV_ERROR, C.ERR_BLOCKED, "scam-1")
            assert refused["message"] == "your message was blocked"
            ok = await f.say(BENIGN)
            assert ok["status"] == "accepted"
            await watch.expect(lambda e: e.get("id") == ok["id"], what="the benign line")
            await gw.sink.flush()  # the batch commits; the outbox hands the block to trust & safety
            blocked = await sync_to_async(ChatMessage.objects.get)(status="blocked")
            seen["blocked"] = blocked
            seen["recorded"] = await sync_to_async(_recorded)(blocked.pk)
            seen["history"] = await _history_of_a_fresh_gateway(room.slug)
            seen["before_appeal"] = [e.get("text") for e in watch.events if e["type"] == C.EV_MESSAGE]

            # the sender appeals; another moderator upholds: the line enters the room now, announced to everyone
            decision = await sync_to_async(Decision.objects.get)(case__message_id=blocked.pk)
            appeal = await sync_to_async(services.appeal_file)(
                appellant=fan, decision_id=decision.pk, text="It was a joke among regulars."
            )
            await sync_to_async(services.appeal_decide)(actor=moderator, appeal_id=appeal.pk, outcome="upheld")
            restored = await watch.expect(
                lambda e: e["type"] == C.EV_MESSAGE and e.get("id") == blocked.pk, what="the restored line"
            )
            mine = await f.expect(lambda e: e["type"] == C.EV_MESSAGE and e.get("id") == blocked.pk, what="own line")
            seen["restored"] = (restored["text"], restored["user"]["login"], restored["seq"], mine["seq"])
        finally:
            await running.close()
            runtime.set_bus(None)

    run(main())
    blocked = seen["blocked"]
    assert (blocked.text, blocked.reason, blocked.seq, blocked.user_id, blocked.room_id) == (
        SCAM,
        "scam",
        None,
        fan.pk,
        room.pk,
    )
    # until the appeal, the room saw the benign line only; a restarted gateway's history has nothing else
    assert seen["before_appeal"] == [BENIGN]
    assert seen["history"] == [BENIGN]
    [event] = OutboxEvent.objects.filter(topic="chat.message_blocked")
    assert event.payload == {"message_id": blocked.pk, "room": room.slug, "user_id": fan.pk, "reason": "scam"}
    assert event.dispatched_at is not None
    assert seen["recorded"] == (
        "chat_block",
        "scam",
        "decided",
        True,
        "SCAM-1",
        "delete_message",
        f"Your chat message in room '{room.slug}' was removed.",
    )
    # the policy's settings event was published before any gateway ran: the in-process bus had no room open and
    # numbered nothing, Redis numbered it 1; the benign line came next, the restored line after it
    from django.conf import settings

    benign_seq = 2 if settings.STAGEDOOR_FANOUT_BACKEND == "redis" else 1
    assert seen["restored"] == (SCAM, "fan_one", benign_seq + 1, benign_seq + 1)
    stored = {m.text: (m.status, m.seq) for m in ChatMessage.objects.filter(room=room)}
    assert stored == {BENIGN: ("visible", benign_seq), SCAM: ("visible", benign_seq + 1)}
