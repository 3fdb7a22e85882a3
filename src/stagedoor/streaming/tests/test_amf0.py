import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stagedoor.streaming.rtmp import amf0


def test_connect_command_encodes_to_exact_bytes() -> None:
    data = amf0.encode("connect", 1.0, {"app": "live"})
    assert data == (
        b"\x02\x00\x07connect" + b"\x00" + struct.pack(">d", 1.0) + b"\x03\x00\x03app\x02\x00\x04live\x00\x00\x09"
    )
    assert amf0.decode(data) == ["connect", 1.0, {"app": "live"}]


def test_ecma_array_null_undefined_bool_strict_array_roundtrip() -> None:
    meta = amf0.ECMAArray({"width": 1280.0, "stereo": True, "encoder": "obs"})
    values = [None, amf0.UNDEFINED_VALUE, False, [1.0, "a"], meta, amf0.AMFDate(1000.0, 0)]
    decoded = amf0.decode(amf0.encode(*values))
    assert decoded == values
    assert isinstance(decoded[4], amf0.ECMAArray)


def test_long_string_is_used_over_65535_bytes() -> None:
    text = "x" * 70000
    data = amf0.encode(text)
    assert data[0] == amf0.LONG_STRING
    assert amf0.decode(data) == [text]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x02\x00\x10abc", "truncated"),
        (b"\x00\x00\x00", "truncated"),
        (b"\x0a\xff\xff\xff\xff", "exceeds"),
        (b"\x42", "unknown AMF0 type marker 0x42"),
        (b"\x03\x00\x01a", "truncated"),
        (b"\x07\x00\x01", "references are not supported"),
    ],
)
def test_malformed_input_raises_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(amf0.AMF0Error, match=message):
        amf0.decode(data)


def test_deep_nesting_is_refused() -> None:
    data = b"\x0a\x00\x00\x00\x01" * 100 + b"\x05"
    with pytest.raises(amf0.AMF0Error, match="too deep"):
        amf0.decode(data)


values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


@given(st.lists(values, max_size=4))
def test_roundtrip_property(items: list[object]) -> None:
    assert amf0.decode(amf0.encode(*items)) == items


@given(st.binary(max_size=200))
def test_decoder_never_crashes_on_garbage(data: bytes) -> None:
    try:
        amf0.decode(data)
    except amf0.AMF0Error:
        pass
