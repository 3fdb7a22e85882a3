"""A room's chat policy in live chat, through the gateway `stagedoor run` builds: a category the room blocks is
refused there and held in a room on platform defaults, and a policy (or word list) changed while the room is open
applies to the next line without anyone reconnecting, while viewers' sockets never see the settings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from stagedoor.chat import codes as C
from stagedoor.chat import runtime
from stagedoor.chat import services as chat_services
from stagedoor.chat.models import ChatMessage
from stagedoor.chat.tests.support import ChatClient, run, wait_for
from stagedoor.moderation import services

OFF = "add me on snap kitty_99"  # off_platform
OFF_AGAIN = "my snap is kitty_99, add me"
BENIGN = "what song is this?"
WORD_LINE = "melon season is here"


@pytest.mark.django_db(transaction=True)
def test_room_policy_applies_per_room_and_changes_reach_an_open_room(
    make_user: Any, ticket_for: Callable[[Any, Any], dict[str, Any]]
) -> None:
    from stagedoor.chat.django_gateway import build_gateway
    from stagedoor.chat.gateway import start_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    star_a = make_user("performer", login="aurora")
    star_b = make_user("performer", login="borealis")
    room_a, room_b = room_for_performer(performer=star_a), room_for_performer(performer=star_b)
    services.room_chat_policy_set(actor=star_a, room=room_a, actions={"off_platform": "block"})  # before any gateway
    fan, fan2, watcher = (make_user("viewer", login=name) for name in ("fan_one", "fan_two", "watcher"))
    t_fan_a, t_fan_b, t_fan2_b, t_watch_b = (
        ticket_for(fan, room_a)["ticket"],
        ticket_for(fan, room_b)["ticket"],
        ticket_for(fan2, room_b)["ticket"],
        ticket_for(watcher, room_b)["ticket"],
    )
    runtime.set_bus(None)
    outcome: dict[str, Any] = {}

    async def main() -> None:
        gw = build_gateway()
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        runtime.set_bus(gw.bus, asyncio.get_running_loop())
        try:
            in_a = await ChatClient.join(running.port, t_fan_a)
            in_b = await ChatClient.join(running.port, t_fan_b)
            in_b2 = await ChatClient.join(running.port, t_fan2_b)
            watch = await ChatClient.join(running.port, t_watch_b)
            refused = await in_a.say(OFF)
            assert (refused["type"], refused["code"]) == (C.EV_ERROR, C.ERR_BLOCKED)
            held = await in_b.say(OFF)
            assert (held["type"], held["status"]) == (C.EV_ACK, "held")

            # the performer of room B blocks the category while the room is open
            state_b = gw.states[room_b.slug]
            await sync_to_async(services.room_chat_policy_set)(
                actor=star_b, room=room_b, actions={"off_platform": "block"}
            )
            await wait_for(lambda: state_b.classifier_actions == {"off_platform": "block"}, what="policy in room B")
            now_refused = await in_b.say(OFF_AGAIN)
            assert (now_refused["type"], now_refused["code"]) == (C.EV_ERROR, C.ERR_BLOCKED)

            # blocked words travel the same way
            assert (await in_b2.say(WORD_LINE))["status"] == "accepted"
            await sync_to_async(chat_services.chat_words_set)(actor=star_b, room=room_b, words=["melon"])
            await wait_for(lambda: state_b.words.find(WORD_LINE) == "melon", what="words in room B")
            word_refused = await in_b2.say(WORD_LINE)
            assert (word_refused["type"], word_refused["code"]) == (C.EV_ERROR, C.ERR_BLOCKED_WORD)

            ok = await in_b2.say(BENIGN)
            assert ok["status"] == "accepted"
            await watch.expect(lambda e: e.get("id") == ok["id"], what="the benign line")
            assert gw.states[room_a.slug].classifier_actions == {"off_platform": "block"}  # room A untouched
            await gw.sink.flush()
            outcome.update(
                watch=list(watch.events),
                fan=list(in_b.events),
                seq=next(e["seq"] for e in watch.events if e.get("id") == ok["id"]),
            )
        finally:
            await running.close()
            runtime.set_bus(None)

    run(main())
    # the viewers saw the two accepted lines and nothing of the settings (which took sequence numbers 1 and 3)
    for who in ("watch", "fan"):
        assert [e for e in outcome[who] if e["type"] == C.EV_ROOM_SETTINGS or "classifier_actions" in e] == []
        assert [e["text"] for e in outcome[who] if e["type"] == C.EV_MESSAGE] == [WORD_LINE, BENIGN], who
    assert outcome["seq"] == 4
    # blocked lines are stored too (never shown: trust & safety records the automated removal)
    stored = {(m.room.slug, m.text): (m.status, m.reason, m.seq) for m in ChatMessage.objects.select_related("room")}
    assert stored == {
        (room_a.slug, OFF): ("blocked", "off_platform", None),
        (room_b.slug, OFF): ("held", "off_platform", None),
        (room_b.slug, OFF_AGAIN): ("blocked", "off_platform", None),
        (room_b.slug, WORD_LINE): ("visible", "", 2),
        (room_b.slug, BENIGN): ("visible", "", 4),
    }
