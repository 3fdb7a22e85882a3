"""Live chat with the text moderator: the gateway `stagedoor run` builds holds a minor_risk line
(the sender is told "held", nobody else ever sees it) and passes a benign one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat import runtime
from stagedoor.chat.models import ChatMessage
from stagedoor.chat.tests.support import ChatClient, run
from stagedoor.moderation.text.classifier import ChatTextClassifier

HELD_TEXT = "im 14 lol, is that ok in here?"
BENIGN_TEXT = "hello from Norway, love the music"
LATER_TEXT = "what song is this?"


@pytest.mark.django_db(transaction=True)
def test_gateway_holds_minor_risk_and_passes_benign(
    make_user: Any, ticket_for: Callable[[Any, Any], dict[str, Any]]
) -> None:
    from stagedoor.chat.django_gateway import build_gateway
    from stagedoor.chat.gateway import start_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    star = make_user("performer", login="nightowl")
    room = room_for_performer(performer=star)
    fan = make_user("viewer", login="fan_one")
    other = make_user("viewer", login="fan_two")
    t_star, t_fan, t_other = (ticket_for(u, room)["ticket"] for u in (star, fan, other))
    runtime.set_bus(None)
    seen: dict[str, list[dict[str, Any]]] = {}

    async def main() -> None:
        gw = build_gateway()
        assert isinstance(gw.pipeline.classifier, ChatTextClassifier)  # what apps.ready() registered
        gw.config.pipeline.ip_burst = None
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        runtime.set_bus(gw.bus, asyncio.get_running_loop())
        try:
            s = await ChatClient.join(running.port, t_star)
            o = await ChatClient.join(running.port, t_other)
            f = await ChatClient.join(running.port, t_fan)
            held = await f.say(HELD_TEXT)
            assert (held["type"], held["status"]) == (C.EV_ACK, "held")
            ok = await f.say(BENIGN_TEXT)
            assert (ok["type"], ok["status"]) == (C.EV_ACK, "accepted")
            later = await f.say(LATER_TEXT)
            assert later["status"] == "accepted"
            # the other members get the accepted lines, in order; the held one never reaches them
            for client in (s, o, f):
                await client.expect(
                    lambda e: e["type"] == C.EV_MESSAGE and e.get("id") == later["id"], what="the later line"
                )
            await gw.sink.flush()
            seen.update(star=list(s.events), other=list(o.events), fan=list(f.events))
        finally:
            await running.close()
            runtime.set_bus(None)

    run(main())
    for who in ("star", "other", "fan"):
        texts = [e.get("text") for e in seen[who] if e["type"] == C.EV_MESSAGE]
        assert texts == [BENIGN_TEXT, LATER_TEXT], who
    stored = {m.text: (m.status, m.reason, m.seq) for m in ChatMessage.objects.filter(room=room)}
    assert stored == {
        HELD_TEXT: ("held", "minor_risk", None),
        BENIGN_TEXT: ("visible", "", 1),
        LATER_TEXT: ("visible", "", 2),
    }
