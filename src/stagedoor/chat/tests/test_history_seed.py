"""After a restart, an in-process gateway starts a room from its stored messages: the chat shows its history,
and new messages are numbered after the stored ones (so their rows never collide with them)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stagedoor.chat import protocol
from stagedoor.chat.fanout import InProcessChatBus
from stagedoor.chat.gateway import ChatGateway, GatewayConfig
from stagedoor.chat.models import ChatMessage
from stagedoor.rooms.services import room_for_performer

KEY = b"k" * 32


def _tail(text: str) -> bytes:
    return protocol.encode_tail({"type": "message", "id": text, "ts": 1, "user": {}, "text": text})


def test_seed_numbers_history_after_the_stored_seq_and_only_once() -> None:
    bus = InProcessChatBus()
    assert bus.seed("r", [_tail("a"), _tail("b")], after_seq=7)
    frames, counter = asyncio.run(bus.recent("r"))
    assert counter == 9 and [protocol.seq_of_frame(f) for f in frames] == [8, 9]
    assert not bus.seed("r", [_tail("c")], after_seq=100)  # the room has a timeline: left alone
    assert asyncio.run(bus.publish("r", _tail("d"))) == 10


@pytest.mark.django_db(transaction=True)
def test_a_fresh_gateway_opens_a_room_with_its_stored_history(make_user: Any) -> None:
    from stagedoor.chat.django_gateway import load_history

    room = room_for_performer(performer=make_user("performer", login="history_star"))
    fan = make_user("viewer", login="fan")
    start = datetime(2030, 1, 1, 20, 0, tzinfo=UTC)
    rows = [("m1", 11, "visible", "first"), ("m2", 12, "deleted", "gone"), ("m3", None, "visible", "demo, no seq")]
    for i, (pk, seq, status, text) in enumerate(rows):
        ChatMessage.objects.create(
            id=pk,
            room=room,
            seq=seq,
            user=fan,
            login="fan",
            role="viewer",
            text=text,
            status=status,
            created_at=start + timedelta(minutes=i),
        )

    async def scenario() -> tuple[list[dict[str, Any]], int, int]:
        gateway = ChatGateway(GatewayConfig(ticket_key=KEY), bus=InProcessChatBus(), history_loader=load_history)
        hub = await gateway.open_room(room.slug)
        history = [json.loads(frame) for frame in hub.history()]
        loaded_seq = hub.last_seq or 0
        return history, loaded_seq, await gateway.bus.publish(room.slug, _tail("new"))

    history, last_seq, next_seq = asyncio.run(scenario())
    assert [(e["seq"], e["id"], e["text"], e["user"]["login"]) for e in history] == [
        (13, "m1", "first", "fan"),
        (14, "m3", "demo, no seq", "fan"),
    ]
    assert history[0]["ts"] == int(start.timestamp() * 1000)
    assert (last_seq, next_seq) == (14, 15)  # after every stored seq, the deleted message's included
