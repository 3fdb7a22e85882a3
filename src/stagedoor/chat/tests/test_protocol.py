"""The wire protocol, without sockets."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P


def test_decode_every_command() -> None:
    assert P.decode_command('{"type":"hello","ticket":"t","last_seq":7}') == P.Hello(ticket="t", last_seq=7)
    assert P.decode_command('{"type":"send","text":"hi","nonce":"n1"}') == P.Send(text="hi", nonce="n1")
    assert P.decode_command('{"type":"delete","message_id":"m"}') == P.Delete(message_id="m")
    assert P.decode_command('{"type":"purge","user_id":"u3"}') == P.Purge(user_id="u3")
    assert P.decode_command('{"type":"timeout","user_id":"u3","seconds":60,"reason":"spam"}') == P.Timeout(
        user_id="u3", seconds=60, reason="spam"
    )
    assert P.decode_command('{"type":"ban","user_id":"u3"}') == P.Ban(user_id="u3")
    assert P.decode_command('{"type":"unban","user_id":"u3"}') == P.Unban(user_id="u3")
    assert P.decode_command('{"type":"mode","slow_seconds":30,"audience":"followers","links":false}') == P.SetMode(
        slow_seconds=30, audience="followers", links=False
    )
    assert P.decode_command('{"type":"ping","nonce":"x"}') == P.Ping(nonce="x")
    # null optional fields are the same as absent
    assert P.decode_command('{"type":"hello","ticket":"t","last_seq":null}') == P.Hello(ticket="t")


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", C.ERR_BAD_JSON),
        ("", C.ERR_BAD_JSON),
        ("[1,2]", C.ERR_BAD_FRAME),
        ('"text"', C.ERR_BAD_FRAME),
        ("{}", C.ERR_UNKNOWN_TYPE),
        ('{"type":5}', C.ERR_UNKNOWN_TYPE),
        ('{"type":"explode"}', C.ERR_UNKNOWN_TYPE),
        ('{"type":"send"}', C.ERR_BAD_FIELD),
        ('{"type":"send","text":5}', C.ERR_BAD_FIELD),
        ('{"type":"send","text":"hi","colour":"red"}', C.ERR_BAD_FIELD),
        ('{"type":"purge","user_id":true}', C.ERR_BAD_FIELD),
        ('{"type":"purge","user_id":3}', C.ERR_BAD_FIELD),
        ('{"type":"timeout","user_id":"u3","seconds":1.5}', C.ERR_BAD_FIELD),
        ('{"type":"mode","links":1}', C.ERR_BAD_FIELD),
        ('{"type":"mode","audience":"vips"}', C.ERR_BAD_FIELD),
        ('{"type":"hello","ticket":"t","v":2}', C.ERR_UNSUPPORTED_VERSION),
        ('{"type":"hello","ticket":"t","last_seq":-1}', C.ERR_BAD_FIELD),
        ('{"type":"ping","nonce":"' + "n" * 65 + '"}', C.ERR_BAD_FIELD),
        ('{"type":"ban","user_id":"u1","reason":"' + "r" * 301 + '"}', C.ERR_BAD_FIELD),
    ],
)
def test_bad_frames_get_stable_codes(frame: str, code: str) -> None:
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command(frame)
    assert info.value.code == code


def test_oversize_frames_refused_before_parsing() -> None:
    big = '{"type":"send","text":"' + "a" * 9000 + '"}'
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command(big)
    assert info.value.code == C.ERR_FRAME_TOO_LARGE
    # counted in UTF-8 bytes, not characters: 3000 euro signs are 9000 bytes
    euros = '{"type":"send","text":"' + "€" * 3000 + '"}'
    assert len(euros) < P.DEFAULT_MAX_FRAME_BYTES
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command(euros)
    assert info.value.code == C.ERR_FRAME_TOO_LARGE
    # 10 MB is refused just the same, and quickly
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command("x" * 10_000_000)
    assert info.value.code == C.ERR_FRAME_TOO_LARGE


def test_binary_frames_refused() -> None:
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command(b'{"type":"ping"}')
    assert info.value.code == C.ERR_BAD_FRAME


def test_error_keeps_the_clients_nonce() -> None:
    with pytest.raises(P.ProtocolError) as info:
        P.decode_command('{"type":"send","nonce":"abc"}')
    assert info.value.ref == "abc"


def test_sequenced_frames_are_encoded_once_and_glued() -> None:
    ev = P.message_event(message_id="m1", user=P.user_ref("1", "alice", "viewer"), text='héllo "x"', ts=5)
    tail = P.encode_tail(ev)
    assert not tail.startswith(b"{")
    frame = P.frame_with_seq(42, tail)
    assert json.loads(frame) == {"seq": 42, **ev}
    assert P.seq_of_frame(frame) == 42
    with pytest.raises(ValueError):
        P.encode_tail({"seq": 1, "type": "message"})


def test_welcome_splices_history_frames_verbatim() -> None:
    frames = [P.frame_with_seq(i, P.encode_tail(P.notice_event(text=f"n{i}", ts=i))) for i in (1, 2)]
    raw = P.encode_welcome(
        room="r", node="n", seq=2, you={"id": None}, mode={"slow_seconds": 0}, presence=3, resumed=False, history=frames
    )
    doc = json.loads(raw)
    assert doc["type"] == C.EV_WELCOME and doc["v"] == C.PROTOCOL_VERSION
    assert [h["seq"] for h in doc["history"]] == [1, 2]
    empty = json.loads(
        P.encode_welcome(room="r", node="n", seq=0, you={}, mode={}, presence=0, resumed=True, history=[])
    )
    assert empty["history"] == [] and empty["resumed"] is True


def test_tip_amount_must_be_positive_integer() -> None:
    with pytest.raises(ValueError):
        P.tip_event(tip_id="t", user={}, amount=0, ts=1)
    assert P.tip_event(tip_id="t", user={}, amount=25, ts=1)["amount"] == 25


@given(st.text(max_size=300))
def test_decoding_arbitrary_text_only_raises_protocol_errors(text: str) -> None:
    try:
        P.decode_command(text)
    except P.ProtocolError as exc:
        assert exc.code.startswith("chat.")


@given(
    st.dictionaries(
        st.sampled_from(["type", "text", "nonce", "user_id", "seconds", "ticket", "x"]),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=2)),
    )
)
def test_decoding_arbitrary_objects_only_raises_protocol_errors(obj: dict[str, object]) -> None:
    try:
        P.decode_command(json.dumps(obj))
    except P.ProtocolError:
        pass
