"""RTMP chunk stream: reassembles messages from chunks and splits messages into chunks.

Sans-I/O. ``ChunkReader.feed(bytes)`` returns complete ``Message`` objects; it applies
Set Chunk Size and Abort inline because they change how the very next chunk is parsed.
All four chunk header types (fmt 0..3), 1/2/3-byte basic headers and extended
timestamps are supported, including the extended timestamp that librtmp, ffmpeg and
GStreamer repeat on type-3 chunks after a header that used one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from .errors import LimitExceeded, ProtocolError

# message type ids
SET_CHUNK_SIZE = 1
ABORT = 2
ACKNOWLEDGEMENT = 3
USER_CONTROL = 4
WINDOW_ACK_SIZE = 5
SET_PEER_BANDWIDTH = 6
AUDIO = 8
VIDEO = 9
DATA_AMF3 = 15
SHARED_OBJECT_AMF3 = 16
COMMAND_AMF3 = 17
DATA_AMF0 = 18
SHARED_OBJECT_AMF0 = 19
COMMAND_AMF0 = 20
AGGREGATE = 22

DEFAULT_CHUNK_SIZE = 128
# RTMP allows chunk sizes up to 2**31-1. Real encoders use 4096 (ffmpeg, OBS, GStreamer)
# and rarely up to 60000; anything above 65536 is refused so a single chunk can never
# make us buffer more than 64 KiB before the message-size check applies.
MAX_CHUNK_SIZE = 65536
# A 1080p60 keyframe at 12 Mbit/s is ~1 MiB; 8 MiB leaves ample room.
MAX_MESSAGE_SIZE = 8 * 1024 * 1024
EXTENDED_TIMESTAMP = 0xFFFFFF


@dataclass(slots=True)
class Message:
    type_id: int
    payload: bytes
    timestamp: int = 0
    stream_id: int = 0
    csid: int = 3


@dataclass(slots=True)
class _ChunkStreamState:
    timestamp: int = 0
    delta: int = 0
    length: int = 0
    type_id: int = 0
    stream_id: int = 0
    extended: bool = False
    has_header: bool = False
    partial: bytearray = field(default_factory=bytearray)


class ChunkReader:
    def __init__(self, *, max_chunk_size: int = MAX_CHUNK_SIZE, max_message_size: int = MAX_MESSAGE_SIZE) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE
        self.max_chunk_size = max_chunk_size
        self.max_message_size = max_message_size
        self._buf = bytearray()
        self._streams: dict[int, _ChunkStreamState] = {}

    @property
    def buffered(self) -> int:
        """Bytes received but not yet forming a whole chunk (a peer vanishing mid-chunk leaves these)."""
        return len(self._buf) + sum(len(s.partial) for s in self._streams.values())

    def feed(self, data: bytes) -> list[Message]:
        self._buf += data
        messages: list[Message] = []
        pos = 0
        buf = self._buf
        try:
            while True:
                parsed = self._parse_chunk(buf, pos)
                if parsed is None:
                    break
                pos, message = parsed
                if message is not None:
                    messages.append(message)
        finally:
            del buf[:pos]
        return messages

    def abort(self, csid: int) -> None:
        state = self._streams.get(csid)
        if state is not None:
            state.partial = bytearray()

    def _apply_control(self, message: Message) -> None:
        if message.type_id == SET_CHUNK_SIZE:
            if len(message.payload) < 4:
                raise ProtocolError("Set Chunk Size message is shorter than 4 bytes")
            (size,) = struct.unpack_from(">I", message.payload)
            size &= 0x7FFFFFFF
            if size < 1:
                raise ProtocolError("Set Chunk Size to 0")
            if size > self.max_chunk_size:
                raise LimitExceeded(
                    f"peer asked for chunk size {size}, the limit is {self.max_chunk_size}",
                    code="rtmp.chunk_size_too_large",
                )
            self.chunk_size = size
        elif message.type_id == ABORT:
            if len(message.payload) < 4:
                raise ProtocolError("Abort message is shorter than 4 bytes")
            self.abort(struct.unpack_from(">I", message.payload)[0])

    def _parse_chunk(self, buf: bytearray, pos: int) -> tuple[int, Message | None] | None:
        avail = len(buf)
        if pos >= avail:
            return None
        b0 = buf[pos]
        fmt = b0 >> 6
        csid = b0 & 0x3F
        pos += 1
        if csid == 0:
            if pos + 1 > avail:
                return None
            csid = 64 + buf[pos]
            pos += 1
        elif csid == 1:
            if pos + 2 > avail:
                return None
            csid = 64 + buf[pos] + buf[pos + 1] * 256
            pos += 2
        header_len = (11, 7, 3, 0)[fmt]
        if pos + header_len > avail:
            return None
        state = self._streams.get(csid)
        if state is None:
            if fmt != 0:
                raise ProtocolError(f"chunk stream {csid} starts with a type-{fmt} header")
            state = _ChunkStreamState()
        elif fmt != 3 and state.partial:
            raise ProtocolError(f"new message header on chunk stream {csid} before the previous message was complete")

        ts_field = 0
        length = state.length
        type_id = state.type_id
        stream_id = state.stream_id
        if fmt <= 2:
            ts_field = int.from_bytes(buf[pos : pos + 3], "big")
        if fmt <= 1:
            length = int.from_bytes(buf[pos + 3 : pos + 6], "big")
            type_id = buf[pos + 6]
        if fmt == 0:
            stream_id = int.from_bytes(buf[pos + 7 : pos + 11], "little")
        pos += header_len

        extended = ts_field == EXTENDED_TIMESTAMP if fmt <= 2 else state.extended
        if extended:
            if pos + 4 > avail:
                return None
            ext = int.from_bytes(buf[pos : pos + 4], "big")
            pos += 4
            if fmt <= 2:
                ts_field = ext
            # on type-3 chunks the extended field only repeats the previous value

        if length > self.max_message_size:
            raise LimitExceeded(
                f"message of {length} bytes on chunk stream {csid} exceeds the limit of {self.max_message_size}",
                code="rtmp.message_too_large",
            )

        already = len(state.partial)
        take = min(self.chunk_size, length - already)
        if pos + take > avail:
            return None  # wait for the whole chunk; nothing consumed

        # The whole chunk is here: commit header state.
        if csid not in self._streams:
            self._streams[csid] = state
        new_message = already == 0
        if fmt == 0:
            state.timestamp = ts_field
            state.delta = ts_field
        elif fmt in (1, 2):
            state.delta = ts_field
            state.timestamp = (state.timestamp + ts_field) & 0xFFFFFFFF
        elif new_message:
            # spec 5.3.1.2.4: a type-3 chunk after a type-0 one uses its timestamp as delta
            state.timestamp = (state.timestamp + state.delta) & 0xFFFFFFFF
        if fmt <= 2:
            state.extended = extended
        state.length = length
        state.type_id = type_id
        state.stream_id = stream_id
        state.has_header = True

        if take:
            state.partial += buf[pos : pos + take]
        pos += take
        if len(state.partial) < length:
            return pos, None
        message = Message(type_id, bytes(state.partial), state.timestamp, stream_id, csid)
        state.partial = bytearray()
        if type_id in (SET_CHUNK_SIZE, ABORT):
            self._apply_control(message)
        return pos, message


class ChunkWriter:
    """Serializes messages into chunks: a type-0 header, then type-3 continuations."""

    def __init__(self) -> None:
        self.chunk_size = DEFAULT_CHUNK_SIZE

    @staticmethod
    def _basic_header(fmt: int, csid: int) -> bytes:
        if 2 <= csid <= 63:
            return bytes(((fmt << 6) | csid,))
        if 64 <= csid <= 319:
            return bytes((fmt << 6, csid - 64))
        if 320 <= csid <= 65599:
            rest = csid - 64
            return bytes(((fmt << 6) | 1, rest & 0xFF, rest >> 8))
        raise ValueError(f"invalid chunk stream id {csid}")

    def write(self, message: Message) -> bytes:
        ts = message.timestamp & 0xFFFFFFFF
        extended = ts >= EXTENDED_TIMESTAMP
        out = bytearray(self._basic_header(0, message.csid))
        out += (EXTENDED_TIMESTAMP if extended else ts).to_bytes(3, "big")
        out += len(message.payload).to_bytes(3, "big")
        out.append(message.type_id)
        out += message.stream_id.to_bytes(4, "little")
        ext = ts.to_bytes(4, "big") if extended else b""
        out += ext
        payload = message.payload
        continuation = self._basic_header(3, message.csid) + ext
        for offset in range(0, max(len(payload), 1), self.chunk_size):
            if offset:
                out += continuation
            out += payload[offset : offset + self.chunk_size]
        return bytes(out)
