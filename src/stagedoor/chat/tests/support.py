"""Helpers for the chat tests: a real gateway on an ephemeral port and a small client.

No sleeps: every wait is on a condition with a deadline.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from stagedoor.chat import codes as C
from stagedoor.chat.protocol import encode_command
from stagedoor.chat.ticket import ticket_sign

KEY = b"test-chat-ticket-key-0123456789abcdef"


def run[T](coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await coro

    return asyncio.run(bounded())


async def wait_for(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)  # a poll tick, not a wait for time to pass


def ticket(
    room: str = "room1",
    user_id: int | str | None = 1,
    login: str | None = "alice",
    role: str = "viewer",
    perms: set[str] | None = None,
    flags: set[str] | None = None,
    key: bytes = KEY,
    ttl: int = 60,
) -> str:
    if perms is None:
        perms = {C.PERM_READ, C.PERM_WRITE} if user_id is not None else {C.PERM_READ}
    return ticket_sign(
        key=key,
        room=room,
        user_id=None if user_id is None else str(user_id),
        login=login,
        role=role,
        perms=perms,
        flags=flags or set(),
        ttl=ttl,
    )


class ChatClient:
    """A test client: collects every event; helpers wait for the one you expect."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self.closed: tuple[int | None, str] | None = None
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                self.events.append(json.loads(raw))
        except ConnectionClosed:
            pass  # the close code is read below
        finally:
            rcvd = self.ws.protocol.close_rcvd
            self.closed = (rcvd.code, rcvd.reason) if rcvd is not None else (None, "")

    @classmethod
    async def join(cls, port: int, tkt: str, last_seq: int | None = None, **kw: Any) -> ChatClient:
        ws = await connect(f"ws://127.0.0.1:{port}/", compression=None, subprotocols=[Subprotocol(C.SUBPROTOCOL)], **kw)
        client = cls(ws)
        await ws.send(encode_command(C.CMD_HELLO, ticket=tkt, last_seq=last_seq))
        await client.expect(lambda e: e["type"] in (C.EV_WELCOME, C.EV_ERROR), what="welcome")
        return client

    @property
    def welcome(self) -> dict[str, Any]:
        return next(e for e in self.events if e["type"] == C.EV_WELCOME)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    async def expect(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0, what: str = "event"
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for e in self.events[seen:]:
                if predicate(e):
                    return e
            seen = len(self.events)
            if self.closed is not None:
                raise AssertionError(f"closed {self.closed} while waiting for {what}; got {self.events[-5:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; got {self.events[-5:]}")
            await asyncio.sleep(0.005)

    async def send(self, kind: str, **fields: Any) -> None:
        await self.ws.send(encode_command(kind, **fields))

    async def say(self, text: str, nonce: str | None = None) -> dict[str, Any]:
        """Send a line and wait for its ack or error."""
        nonce = nonce or f"n{time.monotonic_ns()}"
        await self.send(C.CMD_SEND, text=text, nonce=nonce)
        return await self.expect(
            lambda e: e["type"] in (C.EV_ACK, C.EV_ERROR) and e.get("ref") == nonce, what=f"ack {nonce}"
        )

    async def wait_closed(self, timeout: float = 5.0) -> tuple[int | None, str]:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        assert self.closed is not None
        return self.closed

    async def close(self) -> None:
        await self.ws.close()
        await asyncio.gather(self._reader, return_exceptions=True)


async def eventually(fn: Callable[[], Awaitable[bool]], timeout: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not await fn():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)
