"""The gateway wired to the database (`django_gateway`): end to end, and as `stagedoor run` embeds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat import runtime
from stagedoor.chat.models import ChatMessage, ChatModerationAction
from stagedoor.core.models import AuditEntry

from .support import ChatClient, run


@pytest.mark.django_db(transaction=True)
def test_gateway_end_to_end_with_database(ticket_for: Callable[[Any, Any], dict[str, Any]], make_user: Any) -> None:
    """The real gateway, built as `stagedoor run` builds it, against the database."""
    from stagedoor.chat.django_gateway import build_gateway
    from stagedoor.chat.gateway import start_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    star = make_user("performer", login="star2")
    room = room_for_performer(performer=star)
    viewer = make_user("viewer", login="fan")
    t_star = ticket_for(star, room)["ticket"]
    t_fan = ticket_for(viewer, room)["ticket"]
    runtime.set_bus(None)

    async def main() -> None:
        gw = build_gateway()
        gw.config.pipeline.ip_burst = None
        running = await start_chat_gateway("127.0.0.1", 0, gw)
        import asyncio

        runtime.set_bus(gw.bus, asyncio.get_running_loop())
        try:
            s = await ChatClient.join(running.port, t_star)
            f = await ChatClient.join(running.port, t_fan)
            ack = await f.say("hello @star")
            assert ack["status"] == "accepted"
            await s.expect(lambda e: e.get("id") == ack["id"])
            await s.send(C.CMD_TIMEOUT, user_id=str(viewer.pk), seconds=60, reason="test", nonce="t")
            await s.expect(lambda e: e.get("ref") == "t" and e["type"] == C.EV_ACK)
            await f.expect(lambda e: e["type"] == C.EV_USER_TIMED_OUT)
            await gw.sink.flush()
        finally:
            await running.close()
            runtime.set_bus(None)

    run(main())
    msg = ChatMessage.objects.get(room=room)
    assert (msg.text, msg.login, msg.seq, msg.status) == ("hello @star", "fan", 1, "visible")
    assert ChatModerationAction.objects.get(room=room).action == "timeout"
    assert AuditEntry.objects.filter(action="chat.timeout").count() == 1


@pytest.mark.django_db(transaction=True)
def test_embedded_service_serves_and_stops(
    ticket_for: Callable[[Any, Any], dict[str, Any]], make_user: Any, settings: Any
) -> None:
    """What `stagedoor run` starts: the gateway in the caller's loop, until `stop` is set."""
    import asyncio
    import socket

    from stagedoor.chat.django_gateway import embedded_chat_gateway
    from stagedoor.rooms.services import room_for_performer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.STAGEDOOR_CHAT_PORT = port
    room = room_for_performer(performer=make_user("performer", login="emb"))
    out = ticket_for(None, room)
    assert out["url"].endswith(f":{port}/")

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(embedded_chat_gateway(stop))
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            try:
                client = await ChatClient.join(port, out["ticket"])
                break
            except OSError:
                assert asyncio.get_running_loop().time() < deadline, "gateway did not start"
                await asyncio.sleep(0.02)
        assert client.welcome["you"]["role"] == "anonymous"
        seq = await asyncio.to_thread(
            runtime.publish_from_sync,
            room.slug,
            P.notice_event(text="hi", ts=1),
        )
        assert seq == 1
        await client.expect(lambda e: e.get("type") == C.EV_NOTICE and e["text"] == "hi")
        stop.set()
        await asyncio.wait_for(task, 10)
        await client.wait_closed()

    run(main())
