"""AMF0 encoding and decoding (Action Message Format, as used by RTMP commands).

Pure functions over bytes. Decoding is defensive: every length is checked against
the buffer and nesting depth is bounded, so hostile input raises ``AMF0Error``
instead of looping or exhausting memory.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

NUMBER = 0x00
BOOLEAN = 0x01
STRING = 0x02
OBJECT = 0x03
NULL = 0x05
UNDEFINED = 0x06
REFERENCE = 0x07
ECMA_ARRAY = 0x08
OBJECT_END = 0x09
STRICT_ARRAY = 0x0A
DATE = 0x0B
LONG_STRING = 0x0C
UNSUPPORTED = 0x0D
XML_DOCUMENT = 0x0F
TYPED_OBJECT = 0x10
AVMPLUS = 0x11

MAX_DEPTH = 32


class AMF0Error(ValueError):
    """The bytes are not valid AMF0."""


class Undefined:
    """AMF0 ``undefined`` (distinct from ``null`` which maps to ``None``)."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED_VALUE = Undefined()


class ECMAArray(dict):  # type: ignore[type-arg]
    """A dict that encodes as an AMF0 ECMA array (what onMetaData uses)."""


@dataclass(frozen=True)
class AMFDate:
    milliseconds: float
    timezone: int = 0


def decode(data: bytes) -> list[Any]:
    """Decode a sequence of AMF0 values filling ``data`` exactly."""
    values = []
    pos = 0
    view = memoryview(data)
    while pos < len(view):
        value, pos = _decode_value(view, pos, 0)
        values.append(value)
    return values


def _need(view: memoryview, pos: int, n: int) -> None:
    if pos + n > len(view):
        raise AMF0Error(f"truncated AMF0 value at offset {pos} (need {n} bytes)")


def _decode_utf8(view: memoryview, pos: int, n: int) -> tuple[str, int]:
    _need(view, pos, n)
    try:
        return bytes(view[pos : pos + n]).decode("utf-8"), pos + n
    except UnicodeDecodeError as exc:
        raise AMF0Error(f"invalid UTF-8 in AMF0 string at offset {pos}") from exc


def _decode_short_string(view: memoryview, pos: int) -> tuple[str, int]:
    _need(view, pos, 2)
    (n,) = struct.unpack_from(">H", view, pos)
    return _decode_utf8(view, pos + 2, n)


def _decode_properties(view: memoryview, pos: int, depth: int, into: dict[str, Any]) -> int:
    while True:
        _need(view, pos, 3)
        if view[pos] == 0 and view[pos + 1] == 0 and view[pos + 2] == OBJECT_END:
            return pos + 3
        key, pos = _decode_short_string(view, pos)
        value, pos = _decode_value(view, pos, depth + 1)
        into[key] = value


def _decode_value(view: memoryview, pos: int, depth: int) -> tuple[Any, int]:
    if depth > MAX_DEPTH:
        raise AMF0Error("AMF0 nesting too deep")
    _need(view, pos, 1)
    marker = view[pos]
    pos += 1
    if marker == NUMBER:
        _need(view, pos, 8)
        return struct.unpack_from(">d", view, pos)[0], pos + 8
    if marker == BOOLEAN:
        _need(view, pos, 1)
        return view[pos] != 0, pos + 1
    if marker == STRING:
        return _decode_short_string(view, pos)
    if marker in (LONG_STRING, XML_DOCUMENT):
        _need(view, pos, 4)
        (n,) = struct.unpack_from(">I", view, pos)
        return _decode_utf8(view, pos + 4, n)
    if marker == OBJECT:
        obj: dict[str, Any] = {}
        return obj, _decode_properties(view, pos, depth, obj)
    if marker == TYPED_OBJECT:
        _, pos = _decode_short_string(view, pos)
        typed: dict[str, Any] = {}
        return typed, _decode_properties(view, pos, depth, typed)
    if marker == ECMA_ARRAY:
        _need(view, pos, 4)  # the count is advisory; the end marker terminates
        arr = ECMAArray()
        return arr, _decode_properties(view, pos + 4, depth, arr)
    if marker == STRICT_ARRAY:
        _need(view, pos, 4)
        (n,) = struct.unpack_from(">I", view, pos)
        pos += 4
        if n > len(view) - pos:  # every element takes at least one byte
            raise AMF0Error(f"strict array length {n} exceeds the data")
        items = []
        for _ in range(n):
            item, pos = _decode_value(view, pos, depth + 1)
            items.append(item)
        return items, pos
    if marker == NULL:
        return None, pos
    if marker in (UNDEFINED, UNSUPPORTED):
        return UNDEFINED_VALUE, pos
    if marker == DATE:
        _need(view, pos, 10)
        ms, tz = struct.unpack_from(">dh", view, pos)
        return AMFDate(ms, tz), pos + 10
    if marker == REFERENCE:
        _need(view, pos, 2)
        raise AMF0Error("AMF0 object references are not supported")
    if marker == AVMPLUS:
        raise AMF0Error("AMF3 values inside AMF0 are not supported")
    raise AMF0Error(f"unknown AMF0 type marker 0x{marker:02x} at offset {pos - 1}")


def encode(*values: Any) -> bytes:
    out = bytearray()
    for value in values:
        _encode_value(out, value, 0)
    return bytes(out)


def _encode_key(out: bytearray, key: str) -> None:
    raw = key.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise AMF0Error("AMF0 property name too long")
    out += struct.pack(">H", len(raw)) + raw


def _encode_value(out: bytearray, value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise AMF0Error("AMF0 nesting too deep")
    if value is None:
        out.append(NULL)
    elif value is UNDEFINED_VALUE:
        out.append(UNDEFINED)
    elif isinstance(value, bool):
        out += bytes((BOOLEAN, 1 if value else 0))
    elif isinstance(value, (int, float)):
        out.append(NUMBER)
        out += struct.pack(">d", float(value))
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        if len(raw) <= 0xFFFF:
            out.append(STRING)
            out += struct.pack(">H", len(raw)) + raw
        else:
            out.append(LONG_STRING)
            out += struct.pack(">I", len(raw)) + raw
    elif isinstance(value, AMFDate):
        out.append(DATE)
        out += struct.pack(">dh", value.milliseconds, value.timezone)
    elif isinstance(value, ECMAArray):
        out.append(ECMA_ARRAY)
        out += struct.pack(">I", len(value))
        for key, item in value.items():
            _encode_key(out, key)
            _encode_value(out, item, depth + 1)
        out += b"\x00\x00\x09"
    elif isinstance(value, dict):
        out.append(OBJECT)
        for key, item in value.items():
            _encode_key(out, str(key))
            _encode_value(out, item, depth + 1)
        out += b"\x00\x00\x09"
    elif isinstance(value, (list, tuple)):
        out.append(STRICT_ARRAY)
        out += struct.pack(">I", len(value))
        for item in value:
            _encode_value(out, item, depth + 1)
    else:
        raise AMF0Error(f"cannot encode {type(value).__name__} as AMF0")
