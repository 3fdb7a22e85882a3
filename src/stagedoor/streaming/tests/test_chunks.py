import struct

import pytest

from stagedoor.streaming.rtmp.chunks import (
    ABORT,
    AUDIO,
    SET_CHUNK_SIZE,
    VIDEO,
    ChunkReader,
    ChunkWriter,
    Message,
)
from stagedoor.streaming.rtmp.errors import LimitExceeded, ProtocolError


def header0(csid: int, ts: int, length: int, type_id: int, stream_id: int) -> bytes:
    return (
        bytes((csid,))
        + ts.to_bytes(3, "big")
        + length.to_bytes(3, "big")
        + bytes((type_id,))
        + struct.pack("<I", stream_id)
    )


def test_all_four_header_types_reassemble_with_deltas() -> None:
    data = (
        header0(6, 1000, 4, VIDEO, 1)
        + b"AAAA"
        # type 1: delta 33, new length and type
        + bytes((0x40 | 6,))
        + (33).to_bytes(3, "big")
        + (2).to_bytes(3, "big")
        + bytes((AUDIO,))
        + b"BB"
        # type 2: delta 10, same length/type
        + bytes((0x80 | 6,))
        + (10).to_bytes(3, "big")
        + b"CC"
        # type 3: new message, reuses delta 10
        + bytes((0xC0 | 6,))
        + b"DD"
    )
    messages = ChunkReader().feed(data)
    assert [(m.type_id, m.timestamp, m.payload, m.stream_id) for m in messages] == [
        (VIDEO, 1000, b"AAAA", 1),
        (AUDIO, 1033, b"BB", 1),
        (AUDIO, 1043, b"CC", 1),
        (AUDIO, 1053, b"DD", 1),
    ]


def test_message_split_over_chunks_and_byte_by_byte_feeding() -> None:
    payload = bytes(range(256)) * 2
    data = ChunkWriter().write(Message(VIDEO, payload, 5, 1, 6))
    reader = ChunkReader()
    out = []
    for i in range(len(data)):
        out += reader.feed(data[i : i + 1])
    assert [(m.payload, m.timestamp) for m in out] == [(payload, 5)]
    assert reader.buffered == 0


def test_extended_timestamp_including_on_type3_continuations() -> None:
    writer = ChunkWriter()
    payload = b"x" * 300
    data = writer.write(Message(VIDEO, payload, 0x01020304, 1, 6))
    # type-3 continuation chunks repeat the 4-byte extended timestamp (librtmp/ffmpeg behaviour)
    assert data.count(bytes((0xC6,)) + (0x01020304).to_bytes(4, "big")) == 2
    [message] = ChunkReader().feed(data)
    assert message.timestamp == 0x01020304 and message.payload == payload


def test_two_and_three_byte_basic_headers() -> None:
    writer = ChunkWriter()
    data = writer.write(Message(AUDIO, b"a", 1, 1, 64)) + writer.write(Message(AUDIO, b"b", 2, 1, 400))
    assert data[0] == 0 and data[1] == 0
    assert [(m.csid, m.payload) for m in ChunkReader().feed(data)] == [(64, b"a"), (400, b"b")]


def test_set_chunk_size_applies_to_the_next_chunk_in_the_same_feed() -> None:
    writer = ChunkWriter()
    data = writer.write(Message(SET_CHUNK_SIZE, struct.pack(">I", 4096), 0, 0, 2))
    writer.chunk_size = 4096
    data += writer.write(Message(VIDEO, b"v" * 3000, 0, 1, 6))
    reader = ChunkReader()
    messages = reader.feed(data)
    assert reader.chunk_size == 4096
    assert [len(m.payload) for m in messages] == [4, 3000]


def test_abort_discards_the_partial_message() -> None:
    writer = ChunkWriter()
    full = writer.write(Message(VIDEO, b"v" * 200, 0, 1, 6))
    partial = full[: 12 + 128]  # first chunk only
    abort = writer.write(Message(ABORT, struct.pack(">I", 6), 0, 0, 2))
    again = writer.write(Message(VIDEO, b"w" * 10, 40, 1, 6))
    messages = ChunkReader().feed(partial + abort + again)
    assert [m.payload for m in messages if m.type_id == VIDEO] == [b"w" * 10]


def test_oversized_chunk_size_is_refused() -> None:
    data = ChunkWriter().write(Message(SET_CHUNK_SIZE, struct.pack(">I", 1 << 20), 0, 0, 2))
    with pytest.raises(LimitExceeded, match="chunk size 1048576, the limit is 65536") as info:
        ChunkReader().feed(data)
    assert info.value.code == "rtmp.chunk_size_too_large"


def test_oversized_message_is_refused_from_its_header() -> None:
    data = header0(6, 0, 9 * 1024 * 1024, VIDEO, 1)
    with pytest.raises(LimitExceeded) as info:
        ChunkReader().feed(data)
    assert info.value.code == "rtmp.message_too_large"


def test_chunk_stream_starting_with_type3_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="starts with a type-3 header"):
        ChunkReader().feed(bytes((0xC0 | 9,)) + b"zz")


def test_partial_chunk_is_buffered_not_consumed() -> None:
    data = ChunkWriter().write(Message(VIDEO, b"v" * 100, 0, 1, 6))
    reader = ChunkReader()
    assert reader.feed(data[:50]) == []
    assert reader.buffered == 50
    assert [m.payload for m in reader.feed(data[50:])] == [b"v" * 100]
