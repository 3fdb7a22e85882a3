import struct
from typing import Any

import pytest

from stagedoor.streaming.rtmp import amf0
from stagedoor.streaming.rtmp.chunks import ACKNOWLEDGEMENT, AUDIO, USER_CONTROL, VIDEO, ChunkReader, Message
from stagedoor.streaming.rtmp.errors import (
    PUBLISH_BAD_NAME,
    PUBLISH_REJECTED,
    HandshakeError,
    LimitExceeded,
    ProtocolError,
)
from stagedoor.streaming.rtmp.session import (
    Connected,
    MediaReceived,
    MetadataReceived,
    PublishEnded,
    PublishRequested,
    ServerSession,
    SessionLimits,
    State,
)

from .rtmp_client import PublishClient, client_handshake


class Peer:
    """Drives a ServerSession the way an encoder would, and decodes its answers."""

    def __init__(self, limits: SessionLimits | None = None) -> None:
        self.session = ServerSession(limits, random_bytes=lambda n: b"\x00" * n, clock_ms=lambda: 0)
        self.client = PublishClient()
        self.reader = ChunkReader()
        self.c1 = client_handshake()
        self.session.receive_data(self.c1)
        s0s1s2 = self.session.data_to_send()
        assert len(s0s1s2) == 1 + 1536 * 2
        assert s0s1s2[0] == 3
        assert s0s1s2[1 + 1536 :] == self.c1[1:]  # S2 echoes C1
        self.s1 = s0s1s2[1 : 1 + 1536]

    def send(self, data: bytes) -> list[Message]:
        self.session.receive_data(data)
        return self.received()

    def received(self) -> list[Message]:
        return self.reader.feed(self.session.data_to_send())

    def commands(self, messages: list[Message]) -> list[list[Any]]:
        return [amf0.decode(m.payload) for m in messages if m.type_id == 20]


def connected_peer() -> tuple[Peer, list[Message]]:
    peer = Peer()
    peer.send(peer.s1)  # C2
    messages = peer.send(peer.client.connect_sequence())
    assert peer.session.state is State.CONNECTED
    assert [m.type_id for m in messages] == [5, 6, 1, 20]
    return peer, messages


def test_connect_gets_window_ack_bandwidth_chunk_size_and_result() -> None:
    peer, messages = connected_peer()
    assert struct.unpack(">I", messages[0].payload) == (2_500_000,)
    assert messages[1].payload == struct.pack(">IB", 2_500_000, 2)
    assert struct.unpack(">I", messages[2].payload) == (4096,)
    [result] = peer.commands(messages)
    assert result[0] == "_result" and result[1] == 1.0
    assert result[3]["code"] == "NetConnection.Connect.Success"
    assert peer.session.events() == [Connected("live", "rtmp://127.0.0.1/live", "FMLE/3.0")]


def test_c2_and_connect_in_one_segment() -> None:
    peer = Peer()
    peer.send(peer.s1 + peer.client.connect_sequence())
    assert peer.session.state is State.CONNECTED


def test_publish_flow_accept_then_media_then_unpublish() -> None:
    peer, _ = connected_peer()
    peer.session.events()
    replies = peer.commands(peer.send(peer.client.publish_sequence("sk_live_abcdef")))
    # releaseStream, FCPublish, createStream answered; publish waits for authorization
    assert [r[0] for r in replies] == ["_result", "_result", "_result"]
    assert replies[2][3] == 1.0  # stream id
    assert peer.session.events() == [PublishRequested(1, "live", "sk_live_abcdef", "live")]

    peer.session.accept_publish(1)
    messages = peer.received()
    assert messages[0].type_id == USER_CONTROL and messages[0].payload == struct.pack(">HI", 0, 1)
    [status] = peer.commands(messages)
    assert status[0] == "onStatus"
    assert status[3]["code"] == "NetStream.Publish.Start"
    assert "abcdef" not in status[3]["description"]  # never echo the key

    meta = {"width": 1280.0, "height": 720.0, "videocodecid": 7.0}
    peer.send(peer.client.metadata(meta))
    peer.send(peer.client.writer.write(Message(VIDEO, b"\x17\x01\x00\x00\x00data", 40, 1, 6)))
    peer.send(peer.client.writer.write(Message(AUDIO, b"\xaf\x01aac", 41, 1, 4)))
    assert peer.session.events() == [
        MetadataReceived(1, meta),
        MediaReceived(1, VIDEO, 40, b"\x17\x01\x00\x00\x00data"),
        MediaReceived(1, AUDIO, 41, b"\xaf\x01aac"),
    ]
    peer.send(peer.client.unpublish("sk_live_abcdef"))
    assert peer.session.events() == [PublishEnded(1, "unpublished")]


@pytest.mark.parametrize("code", [PUBLISH_REJECTED, PUBLISH_BAD_NAME])
def test_refused_publish_sends_error_status_and_closes(code: str) -> None:
    peer, _ = connected_peer()
    peer.send(peer.client.publish_sequence("wrong"))
    peer.session.events()
    peer.session.refuse_publish(1, code, "unknown stream key")
    [status] = peer.commands(peer.received())
    assert status[3] == {"level": "error", "code": code, "description": "unknown stream key"}
    assert peer.session.close_after_flush
    # media after a refusal never becomes an event
    peer.send(peer.client.writer.write(Message(VIDEO, b"\x17\x01\x00\x00\x00x", 0, 1, 6)))
    assert peer.session.events() == []


def test_media_before_accept_is_dropped() -> None:
    peer, _ = connected_peer()
    peer.send(peer.client.publish_sequence("k"))
    peer.session.events()
    peer.send(peer.client.writer.write(Message(VIDEO, b"\x17\x01\x00\x00\x00x", 0, 1, 6)))
    assert peer.session.events() == []


def test_unknown_app_is_rejected() -> None:
    peer = Peer()
    peer.send(peer.s1)
    [error] = peer.commands(peer.send(peer.client.connect_sequence(app="admin")))
    assert error[0] == "_error"
    assert error[3]["code"] == "NetConnection.Connect.Rejected"
    assert peer.session.close_after_flush


@pytest.mark.parametrize(
    "data, message",
    [
        (b"GET / HTTP/1.1\r\n\r\n", "not an RTMP client: first byte 0x47 ('G'), expected 0x03"),
        (b"\x16\x03\x01\x02\x00", "first byte 0x16"),  # a TLS ClientHello on the plain port
        (b"\x06" + b"\x00" * 1536, "encrypted RTMP"),
    ],
)
def test_garbage_instead_of_handshake(data: bytes, message: str) -> None:
    session = ServerSession()
    with pytest.raises(HandshakeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        session.receive_data(data)
    assert session.state is State.CLOSED
    assert session.data_to_send() == b""


def test_command_before_connect_is_a_protocol_error() -> None:
    peer = Peer()
    peer.send(peer.s1)
    with pytest.raises(ProtocolError, match="expected connect, got 'createStream'"):
        peer.send(peer.client.command("createStream", None))


def test_garbage_after_handshake_is_a_protocol_error() -> None:
    peer = Peer()
    peer.send(peer.s1)
    with pytest.raises(ProtocolError):
        peer.send(b"\xc5" + b"\xff" * 64)


def test_oversized_chunk_size_closes_session() -> None:
    peer, _ = connected_peer()
    with pytest.raises(LimitExceeded) as info:
        peer.send(peer.client.set_chunk_size(10_000_000))
    assert info.value.code == "rtmp.chunk_size_too_large"
    assert peer.session.state is State.CLOSED


def test_configurable_chunk_size_limit() -> None:
    peer = Peer(SessionLimits(max_chunk_size=8192))
    peer.send(peer.s1)
    with pytest.raises(LimitExceeded):
        peer.send(peer.client.set_chunk_size(8193))


def test_acknowledgement_after_window_and_ping_response() -> None:
    peer, _ = connected_peer()
    peer.send(peer.client.writer.write(Message(5, struct.pack(">I", 1000), 0, 0, 2)))  # client's window
    big = peer.client.command("FCPublish", None, "x" * 1200)
    acks = [m for m in peer.send(big) if m.type_id == ACKNOWLEDGEMENT]
    assert len(acks) == 1
    assert struct.unpack(">I", acks[0].payload)[0] == peer.session.bytes_received
    ping = peer.client.writer.write(Message(USER_CONTROL, struct.pack(">HI", 6, 1234), 0, 0, 2))
    [pong] = [m for m in peer.send(ping) if m.type_id == USER_CONTROL]
    assert pong.payload == struct.pack(">HI", 7, 1234)


def test_eof_mid_chunk_reports_publish_end() -> None:
    peer, _ = connected_peer()
    peer.send(peer.client.publish_sequence("k"))
    peer.session.events()
    peer.session.accept_publish(1)
    frame = peer.client.writer.write(Message(VIDEO, b"\x17\x01" + b"v" * 5000, 0, 1, 6))
    peer.send(frame[:3000])
    peer.session.receive_eof()
    assert peer.session.events() == [PublishEnded(1, "disconnected_mid_chunk")]


def test_second_publish_on_same_connection_refused() -> None:
    peer, _ = connected_peer()
    peer.send(peer.client.publish_sequence("k"))
    peer.session.accept_publish(1)
    peer.session.events()
    peer.received()
    [status] = peer.commands(peer.send(peer.client.command("publish", None, "k2", "live", stream_id=1)))
    assert status[3]["code"] == PUBLISH_REJECTED
