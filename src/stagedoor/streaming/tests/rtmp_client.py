"""Test helpers: a tiny RTMP publishing client built from our own chunk writer, an FLV
tag reader, and a deadline-based wait (tests never sleep to wait)."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from stagedoor.streaming.rtmp import amf0
from stagedoor.streaming.rtmp.chunks import (
    AUDIO,
    COMMAND_AMF0,
    DATA_AMF0,
    SET_CHUNK_SIZE,
    VIDEO,
    ChunkReader,
    ChunkWriter,
    Message,
)


def wait_until(
    condition: Callable[[], object], timeout: float, what: str = "condition", interval: float = 0.05
) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


async def async_wait_until(condition: Callable[[], object], timeout: float, what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.05)


@dataclass(frozen=True)
class FLVTag:
    type_id: int
    timestamp: int
    data: bytes


def read_flv(data: bytes) -> Iterator[FLVTag]:
    assert data[:3] == b"FLV"
    pos = struct.unpack_from(">I", data, 5)[0] + 4
    while pos + 11 <= len(data):
        tag_type = data[pos]
        size = int.from_bytes(data[pos + 1 : pos + 4], "big")
        ts = int.from_bytes(data[pos + 4 : pos + 7], "big") | (data[pos + 7] << 24)
        yield FLVTag(tag_type, ts, data[pos + 11 : pos + 11 + size])
        pos += 11 + size + 4


def client_handshake() -> bytes:
    return b"\x03" + struct.pack(">II", 0, 0) + os.urandom(1528)


class PublishClient:
    """Builds the byte stream an encoder sends; parses what the server answers."""

    def __init__(self, chunk_size: int = 4096) -> None:
        self.writer = ChunkWriter()
        self.reader = ChunkReader()
        self.chunk_size = chunk_size
        self.txn = 0.0

    def command(self, name: str, *args: object, stream_id: int = 0) -> bytes:
        self.txn += 1
        return self.writer.write(Message(COMMAND_AMF0, amf0.encode(name, self.txn, *args), 0, stream_id, 3))

    def set_chunk_size(self, size: int) -> bytes:
        out = self.writer.write(Message(SET_CHUNK_SIZE, struct.pack(">I", size), 0, 0, 2))
        self.writer.chunk_size = size
        return out

    def connect_sequence(self, app: str = "live") -> bytes:
        return self.set_chunk_size(self.chunk_size) + self.command(
            "connect", {"app": app, "type": "nonprivate", "flashVer": "FMLE/3.0", "tcUrl": f"rtmp://127.0.0.1/{app}"}
        )

    def publish_sequence(self, key: str) -> bytes:
        return (
            self.command("releaseStream", None, key)
            + self.command("FCPublish", None, key)
            + self.command("createStream", None)
            + self.command("publish", None, key, "live", stream_id=1)
        )

    def metadata(self, meta: dict[str, Any]) -> bytes:
        return self.writer.write(
            Message(DATA_AMF0, amf0.encode("@setDataFrame", "onMetaData", amf0.ECMAArray(meta)), 0, 1, 4)
        )

    def media(self, tag: FLVTag) -> bytes:
        type_id = VIDEO if tag.type_id == 9 else AUDIO
        return self.writer.write(Message(type_id, tag.data, tag.timestamp, 1, 6 if type_id == VIDEO else 4))

    def unpublish(self, key: str) -> bytes:
        return self.command("FCUnpublish", None, key) + self.command("deleteStream", None, 1.0)

    def parse(self, data: bytes) -> list[list[object]]:
        """Decode the server's command/status messages (after S0S1S2 were stripped)."""
        return [amf0.decode(m.payload) for m in self.reader.feed(data) if m.type_id == COMMAND_AMF0]


class BlockingRTMPPublisher:
    """A socket-level publisher for integration tests (runs in a thread or plain test)."""

    def __init__(self, port: int, chunk_size: int = 4096) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.client = PublishClient(chunk_size)
        self.statuses: list[list[object]] = []

    def handshake(self) -> None:
        self.sock.sendall(client_handshake())
        s = self._recv_exactly(1 + 1536 + 1536)
        assert s[0] == 3
        self.sock.sendall(s[1 : 1 + 1536])  # C2 echoes S1

    def _recv_exactly(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("server closed during handshake")
            buf += chunk
        return buf

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def read_until_status(self, timeout: float = 10) -> dict[str, Any]:
        """Read until an onStatus arrives; returns its info object."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for values in self.statuses:
                if values and values[0] == "onStatus":
                    self.statuses.remove(values)
                    return values[3]  # type: ignore[return-value]
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed before sending a status")
            self.statuses.extend(self.client.parse(data))
        raise AssertionError("no onStatus within the deadline")

    def closed_by_server(self, timeout: float = 5) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                return True
            if not data:
                return True
        return False

    def close(self) -> None:
        self.sock.close()
