"""The gateway wired to Django: DB-backed sink, moderation recorder and room loader.

* Embedded (``stagedoor run``): list ``stagedoor.chat.django_gateway.embedded_chat_gateway`` in
  ``settings.STAGEDOOR_EMBEDDED_SERVICES``; it runs in uvicorn's loop.
* Standalone: ``stagedoor chat [--host H] [--port P]`` (management command).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings

from stagedoor.chat import runtime
from stagedoor.chat.gateway import ChatGateway, GatewayConfig, serve_chat_gateway
from stagedoor.chat.moderation import ModerationAction
from stagedoor.chat.pipeline.classifier import configured_classifier
from stagedoor.chat.pipeline.message import MessagePipeline, PipelineConfig
from stagedoor.chat.pipeline.sink import BatchingSink, ChatRecord, DeletionRecord
from stagedoor.chat.room import RoomState

log = logging.getLogger(__name__)


class DjangoRecorder:
    """Records and audits socket moderation through the same service the REST API uses."""

    async def record(self, action: ModerationAction) -> ModerationAction:
        from stagedoor.chat.services import chat_action_record

        return await sync_to_async(chat_action_record)(action=action)


async def load_room_state(slug: str) -> RoomState:
    def load() -> RoomState:
        from stagedoor.chat.selectors import chat_room_state
        from stagedoor.rooms.models import Room

        room = Room.objects.filter(slug=slug).first()
        return chat_room_state(room) if room is not None else RoomState(slug)

    return await sync_to_async(load)()


async def load_history(slug: str) -> tuple[list[bytes], int]:
    """A room's last stored visible messages (oldest first, as timeline tails) and its highest stored seq: what
    an in-process gateway starts a room from after a restart (Redis keeps the timeline itself)."""

    def load() -> tuple[list[bytes], int]:
        from django.db.models import Max

        from stagedoor.chat import codes as C
        from stagedoor.chat import protocol
        from stagedoor.chat.models import ChatMessage
        from stagedoor.chat.selectors import chat_recent_messages
        from stagedoor.rooms.models import Room

        room = Room.objects.filter(slug=slug).first()
        if room is None:
            return [], 0
        stored = ChatMessage.objects.filter(room=room).aggregate(m=Max("seq"))["m"] or 0
        tails = [
            protocol.encode_tail(
                protocol.message_event(
                    message_id=m.pk,
                    user=protocol.user_ref(m.user_id, m.login, m.role),
                    text=m.text,
                    ts=int(m.created_at.timestamp() * 1000),
                )
            )
            for m in chat_recent_messages(room, limit=C.HISTORY_LENGTH)
        ]
        return tails, int(stored)

    return await sync_to_async(load)()


async def write_batch(records: list[ChatRecord], deletions: list[DeletionRecord]) -> None:
    from stagedoor.chat.services import chat_messages_write

    await sync_to_async(chat_messages_write)(records=records, deletions=deletions)


def build_gateway() -> ChatGateway:
    config = GatewayConfig(
        ticket_key=runtime.ticket_key(),
        node=f"{socket.gethostname()}-{os.getpid()}",
        trusted_proxies=frozenset(getattr(settings, "STAGEDOOR_CHAT_TRUSTED_PROXIES", ("127.0.0.1",))),
        pipeline=PipelineConfig(platform_words=tuple(getattr(settings, "STAGEDOOR_CHAT_PLATFORM_WORDS", ()))),
    )
    return ChatGateway(
        config,
        bus=runtime.get_bus(),
        sink=BatchingSink(write_batch),
        recorder=DjangoRecorder(),
        room_loader=load_room_state,
        pipeline=MessagePipeline(config.pipeline, classifier=configured_classifier()),
        history_loader=load_history,
    )


async def embedded_chat_gateway(stop: asyncio.Event) -> None:
    """An embedded service for ``core.runtime.serve``: returns once ``stop`` is set."""
    gateway = build_gateway()
    runtime.set_bus(gateway.bus, asyncio.get_running_loop())
    host = str(getattr(settings, "STAGEDOOR_CHAT_HOST", "127.0.0.1"))
    try:
        await serve_chat_gateway(host, runtime.chat_port(), gateway=gateway, stop=stop)
    finally:
        runtime.set_bus(None)


def run_standalone(host: str, port: int, **_: Any) -> None:
    async def main() -> None:
        gateway = build_gateway()
        runtime.set_bus(gateway.bus, asyncio.get_running_loop())
        print(f"Stagedoor chat gateway on ws://{host}:{port}/ (node {gateway.config.node})", flush=True)
        await serve_chat_gateway(host, port, gateway=gateway)

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
