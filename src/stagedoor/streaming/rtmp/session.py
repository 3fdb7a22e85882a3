"""RTMP server session: a sans-I/O state machine for one publishing connection.

Feed it bytes with :meth:`ServerSession.receive_data`, send what
:meth:`ServerSession.data_to_send` returns, and act on :meth:`ServerSession.events`.
Stream-key checks are asynchronous, so ``publish`` yields a :class:`PublishRequested`
event and waits for :meth:`ServerSession.accept_publish` or
:meth:`ServerSession.refuse_publish`.

Any violation raises an :class:`~.errors.RTMPError` subclass; the caller closes the
connection. The handshake is the "simple" one (S1 with zero version, S2 echoing C1),
which ffmpeg, librtmp (OBS) and GStreamer's rtmp2 all accept when publishing.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from . import amf0
from .chunks import (
    ABORT,
    ACKNOWLEDGEMENT,
    AGGREGATE,
    AUDIO,
    COMMAND_AMF0,
    COMMAND_AMF3,
    DATA_AMF0,
    DATA_AMF3,
    MAX_CHUNK_SIZE,
    MAX_MESSAGE_SIZE,
    SET_CHUNK_SIZE,
    SET_PEER_BANDWIDTH,
    USER_CONTROL,
    VIDEO,
    WINDOW_ACK_SIZE,
    ChunkReader,
    ChunkWriter,
    Message,
)
from .errors import (
    CONNECT_REJECTED,
    CONNECT_SUCCESS,
    PLAY_FAILED,
    PUBLISH_REJECTED,
    PUBLISH_START,
    UNPUBLISH_SUCCESS,
    HandshakeError,
    ProtocolError,
)

HANDSHAKE_SIZE = 1536
RTMP_VERSION = 3

# user control event types
UC_STREAM_BEGIN = 0
UC_STREAM_EOF = 1
UC_SET_BUFFER_LENGTH = 3
UC_PING_REQUEST = 6
UC_PING_RESPONSE = 7

CSID_CONTROL = 2
CSID_COMMAND = 3
CSID_STATUS = 5


@dataclass(frozen=True, slots=True)
class SessionLimits:
    max_chunk_size: int = MAX_CHUNK_SIZE
    max_message_size: int = MAX_MESSAGE_SIZE
    allowed_apps: tuple[str, ...] = ("live",)
    window_ack_size: int = 2_500_000
    peer_bandwidth: int = 2_500_000
    out_chunk_size: int = 4096


class State(Enum):
    HANDSHAKE_C0C1 = "handshake_c0c1"
    HANDSHAKE_C2 = "handshake_c2"
    AWAIT_CONNECT = "await_connect"
    CONNECTED = "connected"
    CLOSED = "closed"


# ----- events ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    app: str
    tc_url: str
    flash_ver: str


@dataclass(frozen=True, slots=True)
class PublishRequested:
    stream_id: int
    app: str
    stream_key: str
    publish_type: str


@dataclass(frozen=True, slots=True)
class MetadataReceived:
    stream_id: int
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MediaReceived:
    stream_id: int
    type_id: int  # AUDIO or VIDEO
    timestamp: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class PublishEnded:
    stream_id: int
    reason: str


Event = Connected | PublishRequested | MetadataReceived | MediaReceived | PublishEnded


@dataclass(slots=True)
class _Stream:
    stream_id: int
    key: str | None = None
    status: str = "created"  # created -> pending -> publishing -> ended

    @property
    def key_display(self) -> str:
        """Never echo a whole stream key back: its first 4 characters only."""
        key = self.key or ""
        return key[:4] + "…" if len(key) > 4 else key


def _status(level: str, code: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"level": level, "code": code, "description": description, **extra}


class ServerSession:
    def __init__(
        self,
        limits: SessionLimits | None = None,
        *,
        random_bytes: Callable[[int], bytes] = os.urandom,
        clock_ms: Callable[[], int] | None = None,
    ) -> None:
        self.limits = limits or SessionLimits()
        self.state = State.HANDSHAKE_C0C1
        self.app: str | None = None
        self.bytes_received = 0
        self._random_bytes = random_bytes
        self._clock_ms = clock_ms or (lambda: int(time.monotonic() * 1000) & 0xFFFFFFFF)
        self._hs_buf = bytearray()
        self._reader = ChunkReader(
            max_chunk_size=self.limits.max_chunk_size, max_message_size=self.limits.max_message_size
        )
        self._writer = ChunkWriter()
        self._out = bytearray()
        self._events: list[Event] = []
        self._streams: dict[int, _Stream] = {}
        self._next_stream_id = 1
        self._ack_window = self.limits.window_ack_size
        self._last_ack = 0
        self.close_after_flush = False
        self.publishing_stream: int | None = None

    # ----- public API ------------------------------------------------------

    def receive_data(self, data: bytes) -> None:
        if self.state is State.CLOSED:
            return
        if self.state in (State.HANDSHAKE_C0C1, State.HANDSHAKE_C2):
            data = self._handshake(data)
            if not data:
                return
        self.bytes_received += len(data)
        try:
            for message in self._reader.feed(data):
                self._handle_message(message)
        except Exception:
            self.state = State.CLOSED
            raise
        if self.bytes_received - self._last_ack >= self._ack_window:
            self._last_ack = self.bytes_received
            self._send_control(ACKNOWLEDGEMENT, struct.pack(">I", self.bytes_received & 0xFFFFFFFF))

    def receive_eof(self) -> None:
        """The peer closed the connection. Reports an unfinished publish as ended."""
        if self.publishing_stream is not None:
            reason = "disconnected_mid_chunk" if self._reader.buffered else "disconnected"
            self._end_publish(self.publishing_stream, reason)
        self.state = State.CLOSED

    def data_to_send(self) -> bytes:
        out = bytes(self._out)
        self._out.clear()
        return out

    def events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def accept_publish(self, stream_id: int) -> None:
        stream = self._streams.get(stream_id)
        if stream is None or stream.status != "pending":
            return
        stream.status = "publishing"
        self.publishing_stream = stream_id
        self._send_control(USER_CONTROL, struct.pack(">HI", UC_STREAM_BEGIN, stream_id))
        self._send_status(
            stream_id,
            _status("status", PUBLISH_START, f"{stream.key_display} is now published", details=stream.key_display),
        )

    def refuse_publish(self, stream_id: int, code: str, description: str) -> None:
        """Refuse a pending publish (or stop an active one) with an RTMP status, then close."""
        stream = self._streams.get(stream_id)
        if stream is not None:
            if stream.status == "publishing":
                self._end_publish(stream_id, "refused")
            stream.status = "ended"
        self._send_status(stream_id, _status("error", code, description))
        self.close_after_flush = True

    # ----- handshake -------------------------------------------------------

    def _handshake(self, data: bytes) -> bytes:
        self._hs_buf += data
        if self.state is State.HANDSHAKE_C0C1:
            if not self._hs_buf:
                return b""
            version = self._hs_buf[0]
            if version != RTMP_VERSION:
                self.state = State.CLOSED
                if version in (6, 8, 9):
                    raise HandshakeError(f"encrypted RTMP (RTMPE, version {version}) is not supported")
                printable = chr(version) if 32 <= version < 127 else "?"
                raise HandshakeError(f"not an RTMP client: first byte 0x{version:02x} ({printable!r}), expected 0x03")
            if len(self._hs_buf) < 1 + HANDSHAKE_SIZE:
                return b""
            c1 = bytes(self._hs_buf[1 : 1 + HANDSHAKE_SIZE])
            del self._hs_buf[: 1 + HANDSHAKE_SIZE]
            s1 = struct.pack(">II", self._clock_ms(), 0) + self._random_bytes(HANDSHAKE_SIZE - 8)
            self._out += bytes((RTMP_VERSION,)) + s1 + c1  # S0 S1 S2 (S2 echoes C1)
            self.state = State.HANDSHAKE_C2
        if self.state is State.HANDSHAKE_C2:
            if len(self._hs_buf) < HANDSHAKE_SIZE:
                return b""
            # C2 should echo S1; digest-handshake clients (ffmpeg) send something else,
            # and nothing is gained by checking it, so it is accepted as is.
            rest = bytes(self._hs_buf[HANDSHAKE_SIZE:])
            self._hs_buf = bytearray()
            self.state = State.AWAIT_CONNECT
            return rest
        return b""

    # ----- messages --------------------------------------------------------

    def _handle_message(self, message: Message) -> None:
        type_id = message.type_id
        if type_id in (AUDIO, VIDEO):
            stream = self._streams.get(message.stream_id)
            if stream is not None and stream.status == "publishing":
                self._events.append(MediaReceived(message.stream_id, type_id, message.timestamp, message.payload))
            return
        if type_id in (COMMAND_AMF0, COMMAND_AMF3):
            payload = (
                message.payload[1:] if type_id == COMMAND_AMF3 and message.payload[:1] == b"\x00" else message.payload
            )
            self._handle_command(message.stream_id, self._decode(payload, "command"))
        elif type_id in (DATA_AMF0, DATA_AMF3):
            payload = (
                message.payload[1:] if type_id == DATA_AMF3 and message.payload[:1] == b"\x00" else message.payload
            )
            self._handle_data(message.stream_id, self._decode(payload, "data message"))
        elif type_id == AGGREGATE:
            self._handle_aggregate(message)
        elif type_id == WINDOW_ACK_SIZE:
            if len(message.payload) >= 4:
                window = struct.unpack_from(">I", message.payload)[0]
                if window > 0:
                    self._ack_window = window
        elif type_id == USER_CONTROL:
            if len(message.payload) >= 6:
                event, value = struct.unpack_from(">HI", message.payload)
                if event == UC_PING_REQUEST:
                    self._send_control(USER_CONTROL, struct.pack(">HI", UC_PING_RESPONSE, value))
        elif type_id in (SET_CHUNK_SIZE, ABORT, ACKNOWLEDGEMENT, SET_PEER_BANDWIDTH):
            return  # chunk-level controls are applied by the reader; acks need no action
        # shared objects and unknown types are ignored, as Adobe's server does

    @staticmethod
    def _decode(payload: bytes, what: str) -> list[Any]:
        try:
            return amf0.decode(payload)
        except amf0.AMF0Error as exc:
            raise ProtocolError(f"malformed AMF0 {what}: {exc}", code="rtmp.bad_amf0") from exc

    def _handle_aggregate(self, message: Message) -> None:
        data = message.payload
        pos = 0
        base: int | None = None
        while pos + 11 <= len(data):
            type_id = data[pos]
            size = int.from_bytes(data[pos + 1 : pos + 4], "big")
            ts = int.from_bytes(data[pos + 4 : pos + 7], "big") | (data[pos + 7] << 24)
            if pos + 11 + size + 4 > len(data):
                raise ProtocolError("aggregate message sub-message overruns its container")
            if base is None:
                base = ts
            sub = Message(
                type_id,
                data[pos + 11 : pos + 11 + size],
                (message.timestamp + ts - base) & 0xFFFFFFFF,
                message.stream_id,
                message.csid,
            )
            if type_id in (AUDIO, VIDEO, DATA_AMF0):
                self._handle_message(sub)
            pos += 11 + size + 4

    def _handle_command(self, stream_id: int, values: list[Any]) -> None:
        if not values or not isinstance(values[0], str):
            raise ProtocolError("command message without a command name", code="rtmp.bad_command")
        name = values[0]
        txn = values[1] if len(values) > 1 and isinstance(values[1], float) else 0.0
        args = values[3:]
        if self.state is State.AWAIT_CONNECT:
            if name != "connect":
                raise ProtocolError(f"expected connect, got {name!r}", code="rtmp.bad_command")
            cmd = values[2] if len(values) > 2 and isinstance(values[2], dict) else {}
            self._on_connect(txn, cmd)
            return
        if name == "connect":
            raise ProtocolError("connect sent twice", code="rtmp.bad_command")
        if name in ("releaseStream", "FCPublish"):
            self._send_command(0, "_result", txn, None, amf0.UNDEFINED_VALUE)
        elif name == "createStream":
            sid = self._next_stream_id
            self._next_stream_id += 1
            self._streams[sid] = _Stream(sid)
            self._send_command(0, "_result", txn, None, float(sid))
        elif name == "publish":
            self._on_publish(stream_id, args)
        elif name == "FCUnpublish":
            self._send_command(0, "_result", txn, None, amf0.UNDEFINED_VALUE)
            if self.publishing_stream is not None:
                self._end_publish(self.publishing_stream, "unpublished")
        elif name in ("deleteStream", "closeStream"):
            target = int(args[0]) if args and isinstance(args[0], float) else stream_id
            if target in self._streams and self._streams[target].status == "publishing":
                self._send_status(target, _status("status", UNPUBLISH_SUCCESS, "stream unpublished"))
                self._end_publish(target, "unpublished")
        elif name == "play":
            self._send_status(
                stream_id, _status("error", PLAY_FAILED, "this server only accepts publishing; watch over HLS")
            )
        elif name == "getStreamLength":
            self._send_command(0, "_result", txn, None, 0.0)
        # other commands are ignored (they're optional extensions)

    def _on_connect(self, txn: float, cmd: dict[str, Any]) -> None:
        raw_app = str(cmd.get("app", ""))
        app = raw_app.split("?", 1)[0].strip("/")
        if app not in self.limits.allowed_apps:
            self._send_command(
                0,
                "_error",
                txn,
                None,
                _status(
                    "error",
                    CONNECT_REJECTED,
                    f"unknown application {app!r}; use {'/'.join(self.limits.allowed_apps[:1])}",
                ),
            )
            self.close_after_flush = True
            self.state = State.CLOSED
            return
        self.app = app
        self.state = State.CONNECTED
        self._send_control(WINDOW_ACK_SIZE, struct.pack(">I", self.limits.window_ack_size))
        self._send_control(SET_PEER_BANDWIDTH, struct.pack(">IB", self.limits.peer_bandwidth, 2))
        self._send_control(SET_CHUNK_SIZE, struct.pack(">I", self.limits.out_chunk_size))
        self._writer.chunk_size = self.limits.out_chunk_size
        self._send_command(
            0,
            "_result",
            txn,
            {"fmsVer": "FMS/3,0,1,123", "capabilities": 31.0},
            _status("status", CONNECT_SUCCESS, "Connection succeeded.", objectEncoding=0.0),
        )
        self._events.append(Connected(app, str(cmd.get("tcUrl", "")), str(cmd.get("flashVer", ""))))

    def _on_publish(self, stream_id: int, args: list[Any]) -> None:
        name = args[0] if args and isinstance(args[0], str) else ""
        publish_type = args[1] if len(args) > 1 and isinstance(args[1], str) else "live"
        key = name.split("?", 1)[0]
        stream = self._streams.get(stream_id)
        if stream is None:
            if stream_id == 0:
                raise ProtocolError("publish on the control stream 0", code="rtmp.bad_command")
            stream = self._streams[stream_id] = _Stream(stream_id)  # lenient: publish without createStream
        if self.publishing_stream is not None or any(s.status == "pending" for s in self._streams.values()):
            self.refuse_publish(stream_id, PUBLISH_REJECTED, "only one publish per connection")
            return
        if not key:
            self.refuse_publish(stream_id, PUBLISH_REJECTED, "missing stream key")
            return
        stream.key = key
        stream.status = "pending"
        self._events.append(PublishRequested(stream_id, self.app or "", key, publish_type))

    def _handle_data(self, stream_id: int, values: list[Any]) -> None:
        if values and values[0] == "@setDataFrame":
            values = values[1:]
        if len(values) >= 2 and values[0] == "onMetaData" and isinstance(values[1], dict):
            stream = self._streams.get(stream_id)
            if stream is not None and stream.status == "publishing":
                self._events.append(MetadataReceived(stream_id, dict(values[1])))

    def _end_publish(self, stream_id: int, reason: str) -> None:
        stream = self._streams.get(stream_id)
        if stream is not None and stream.status == "publishing":
            stream.status = "ended"
            self._events.append(PublishEnded(stream_id, reason))
        if self.publishing_stream == stream_id:
            self.publishing_stream = None

    # ----- output ----------------------------------------------------------

    def _send_control(self, type_id: int, payload: bytes) -> None:
        self._out += self._writer.write(Message(type_id, payload, 0, 0, CSID_CONTROL))

    def _send_command(self, stream_id: int, *values: Any) -> None:
        self._out += self._writer.write(Message(COMMAND_AMF0, amf0.encode(*values), 0, stream_id, CSID_COMMAND))

    def _send_status(self, stream_id: int, info: dict[str, Any]) -> None:
        self._out += self._writer.write(
            Message(COMMAND_AMF0, amf0.encode("onStatus", 0.0, None, info), 0, stream_id, CSID_STATUS)
        )
