"""The chat wire protocol, version 1: sans-I/O encoding and strict decoding.

No sockets and no Django here: feed a frame to :func:`decode_command`, get a typed
command or a :class:`ProtocolError` with a stable ``code``; build events with the
``*_event`` functions and encode them once with :func:`encode` (unsequenced) or
:func:`encode_tail` + :func:`frame_with_seq` (timeline events, whose sequence number is
assigned by the fan-out backend *after* encoding, so the body is never re-encoded).

See docs/chat-protocol.md for the prose version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from stagedoor.chat import codes as C

#: frames above this many bytes are refused before parsing (a chat line is far smaller).
DEFAULT_MAX_FRAME_BYTES: Final = 8 * 1024

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
_loads = json.loads


class ProtocolError(Exception):
    """A frame we refuse. ``code`` is one of the ``codes.ERR_*`` constants."""

    def __init__(self, code: str, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref  # the client's nonce, when we could read it


# --- commands (client -> server) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hello:
    ticket: str
    last_seq: int | None = None
    v: int = C.PROTOCOL_VERSION


@dataclass(frozen=True, slots=True)
class Send:
    text: str
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    message_id: str
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Purge:
    user_id: str
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Timeout:
    user_id: str
    seconds: int
    reason: str = ""
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Ban:
    user_id: str
    reason: str = ""
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Unban:
    user_id: str
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class SetMode:
    slow_seconds: int | None = None
    audience: str | None = None
    links: bool | None = None
    emails: bool | None = None
    phones: bool | None = None
    nonce: str | None = None


@dataclass(frozen=True, slots=True)
class Ping:
    nonce: str | None = None


Command = Hello | Send | Delete | Purge | Timeout | Ban | Unban | SetMode | Ping

# field name -> (accepted python types, required)
_Spec = dict[str, tuple[tuple[type, ...], bool]]
_NONCE: _Spec = {"nonce": ((str,), False)}
_SPECS: Final[dict[str, tuple[type, _Spec]]] = {
    C.CMD_HELLO: (Hello, {"ticket": ((str,), True), "last_seq": ((int,), False), "v": ((int,), False)}),
    C.CMD_SEND: (Send, {"text": ((str,), True), **_NONCE}),
    C.CMD_DELETE: (Delete, {"message_id": ((str,), True), **_NONCE}),
    C.CMD_PURGE: (Purge, {"user_id": ((str,), True), **_NONCE}),
    C.CMD_TIMEOUT: (
        Timeout,
        {"user_id": ((str,), True), "seconds": ((int,), True), "reason": ((str,), False), **_NONCE},
    ),
    C.CMD_BAN: (Ban, {"user_id": ((str,), True), "reason": ((str,), False), **_NONCE}),
    C.CMD_UNBAN: (Unban, {"user_id": ((str,), True), **_NONCE}),
    C.CMD_MODE: (
        SetMode,
        {
            "slow_seconds": ((int,), False),
            "audience": ((str,), False),
            "links": ((bool,), False),
            "emails": ((bool,), False),
            "phones": ((bool,), False),
            **_NONCE,
        },
    ),
    C.CMD_PING: (Ping, dict(_NONCE)),
}
_MAX_NONCE = 64
_MAX_REASON = 300


def decode_command(frame: str | bytes, *, max_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> Command:
    """Parse one client frame into a command, or raise :class:`ProtocolError`.

    Strict: the frame must be a UTF-8 text JSON object no larger than ``max_bytes``, with
    a known ``type``, every required field present, every field of the right JSON type
    (``true`` is not an integer) and no unknown field.
    """
    if isinstance(frame, (bytes, bytearray, memoryview)):
        # Binary frames are not part of the protocol; the gateway hands text frames as str.
        raise ProtocolError(C.ERR_BAD_FRAME, "binary frames are not accepted")
    # len(str) <= len(utf-8 bytes) <= 4 * len(str): a cheap bound before encoding.
    if len(frame) > max_bytes or (len(frame) * 4 > max_bytes and len(frame.encode()) > max_bytes):
        raise ProtocolError(C.ERR_FRAME_TOO_LARGE, f"frame larger than {max_bytes} bytes")
    try:
        obj = _loads(frame)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(C.ERR_BAD_JSON, "frame is not valid JSON") from exc
    if not isinstance(obj, dict):
        raise ProtocolError(C.ERR_BAD_FRAME, "frame must be a JSON object")
    nonce = obj.get("nonce")
    ref = nonce if isinstance(nonce, str) and len(nonce) <= _MAX_NONCE else None
    kind = obj.pop("type", None)
    if not isinstance(kind, str):
        raise ProtocolError(C.ERR_UNKNOWN_TYPE, "missing or non-string 'type'", ref=ref)
    spec = _SPECS.get(kind)
    if spec is None:
        raise ProtocolError(C.ERR_UNKNOWN_TYPE, f"unknown command type {kind[:40]!r}", ref=ref)
    cls, fields = spec
    for name in obj:
        if name not in fields:
            raise ProtocolError(C.ERR_BAD_FIELD, f"unknown field {str(name)[:40]!r} for {kind!r}", ref=ref)
    for name, (types, required) in fields.items():
        if name not in obj:
            if required:
                raise ProtocolError(C.ERR_BAD_FIELD, f"missing field {name!r} for {kind!r}", ref=ref)
            continue
        value = obj[name]
        if value is None and not required:
            del obj[name]
            continue
        # bool is a subclass of int: refuse true/false where a number is expected.
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise ProtocolError(C.ERR_BAD_FIELD, f"field {name!r} has the wrong type", ref=ref)
    if isinstance(obj.get("nonce"), str) and len(obj["nonce"]) > _MAX_NONCE:
        raise ProtocolError(C.ERR_BAD_FIELD, "nonce too long")
    if isinstance(obj.get("reason"), str) and len(obj["reason"]) > _MAX_REASON:
        raise ProtocolError(C.ERR_BAD_FIELD, "reason too long", ref=ref)
    if kind == C.CMD_HELLO and obj.get("v", C.PROTOCOL_VERSION) != C.PROTOCOL_VERSION:
        raise ProtocolError(C.ERR_UNSUPPORTED_VERSION, f"this server speaks version {C.PROTOCOL_VERSION}")
    if kind == C.CMD_HELLO and obj.get("last_seq") is not None and obj["last_seq"] < 0:
        raise ProtocolError(C.ERR_BAD_FIELD, "last_seq must be >= 0")
    if kind == C.CMD_MODE and obj.get("audience") is not None and obj["audience"] not in C.AUDIENCES:
        raise ProtocolError(C.ERR_BAD_FIELD, "unknown audience", ref=ref)
    return cls(**obj)  # type: ignore[no-any-return]


def encode_command(kind: str, **fields: Any) -> str:
    """Client side helper (tests, bench, the Python client): one command as JSON text."""
    return _dumps({"type": kind, **{k: v for k, v in fields.items() if v is not None}})


# --- events (server -> client) -----------------------------------------------------------


def encode(event: Mapping[str, Any]) -> bytes:
    """Encode an unsequenced event (welcome, ack, error, presence, pong) as UTF-8 JSON."""
    return _dumps(event).encode()


def encode_tail(event: Mapping[str, Any]) -> bytes:
    """Encode a timeline event *without* its sequence number.

    Returns the JSON object minus its opening brace, e.g. ``"type":"message",...}``.
    :func:`frame_with_seq` (or the Redis publish script, which does the same string
    concatenation) glues ``{"seq":N,`` in front. The body is encoded exactly once.
    """
    if "seq" in event:
        raise ValueError("the sequence number is assigned by the fan-out backend")
    body = _dumps(event).encode()
    return body[1:]


_SEQ_PREFIX: Final = b'{"seq":'


def frame_with_seq(seq: int, tail: bytes) -> bytes:
    return b'{"seq":%d,%s' % (seq, tail)


def seq_of_frame(frame: bytes) -> int:
    """Read the sequence number back from a frame made by :func:`frame_with_seq`."""
    if not frame.startswith(_SEQ_PREFIX):
        raise ValueError("not a sequenced frame")
    end = frame.index(b",", len(_SEQ_PREFIX))
    return int(frame[len(_SEQ_PREFIX) : end])


def user_ref(user_id: str | None, login: str | None, role: str, badges: Iterable[str] = ()) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": user_id, "login": login, "role": role}
    if badges := list(badges):
        ref["badges"] = badges  # chat/perks.py
    return ref


def message_event(
    *, message_id: str, user: Mapping[str, Any], text: str, ts: int, mentions: Iterable[str] = ()
) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": C.EV_MESSAGE, "id": message_id, "ts": ts, "user": dict(user), "text": text}
    mentions = list(mentions)
    if mentions:
        ev["mentions"] = mentions
    return ev


def notice_event(*, text: str, ts: int, level: str = "info", code: str | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": C.EV_NOTICE, "ts": ts, "level": level, "text": text}
    if code:
        ev["code"] = code
    return ev


def tip_event(*, tip_id: str, user: Mapping[str, Any], amount: int, ts: int, note: str = "") -> dict[str, Any]:
    if amount <= 0 or isinstance(amount, bool):
        raise ValueError("a tip is a positive whole number of tokens")
    return {"type": C.EV_TIP, "id": tip_id, "ts": ts, "user": dict(user), "amount": amount, "note": note}


def goal_event(
    *, goal_id: str, title: str, target: int, progress: int, ts: int, next_goal: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A goal's progress. A reached goal also names the goal that starts after it (`next`, or null)."""
    ev: dict[str, Any] = {
        "type": C.EV_GOAL,
        "id": goal_id,
        "ts": ts,
        "title": title,
        "target": target,
        "progress": progress,
        "reached": progress >= target,
    }
    if ev["reached"]:
        ev["next"] = (
            {"id": next_goal["id"], "title": next_goal["title"], "target": next_goal["target"]} if next_goal else None
        )
    return ev


def message_deleted_event(*, message_id: str, by: Mapping[str, Any], ts: int) -> dict[str, Any]:
    return {"type": C.EV_MESSAGE_DELETED, "id": message_id, "ts": ts, "by": dict(by)}


def user_purged_event(*, user_id: str, message_ids: list[str], by: Mapping[str, Any], ts: int) -> dict[str, Any]:
    return {"type": C.EV_USER_PURGED, "user_id": user_id, "ids": message_ids, "ts": ts, "by": dict(by)}


def user_timed_out_event(
    *, user_id: str, seconds: int, until: int, reason: str, by: Mapping[str, Any], ts: int
) -> dict[str, Any]:
    return {
        "type": C.EV_USER_TIMED_OUT,
        "user_id": user_id,
        "seconds": seconds,
        "until": until,
        "reason": reason,
        "ts": ts,
        "by": dict(by),
    }


def user_banned_event(*, user_id: str, reason: str, by: Mapping[str, Any], ts: int) -> dict[str, Any]:
    return {"type": C.EV_USER_BANNED, "user_id": user_id, "reason": reason, "ts": ts, "by": dict(by)}


def user_unbanned_event(*, user_id: str, by: Mapping[str, Any], ts: int) -> dict[str, Any]:
    return {"type": C.EV_USER_UNBANNED, "user_id": user_id, "ts": ts, "by": dict(by)}


def room_mode_event(*, mode: Mapping[str, Any], by: Mapping[str, Any] | None, ts: int) -> dict[str, Any]:
    return {"type": C.EV_ROOM_MODE, "mode": dict(mode), "ts": ts, "by": dict(by) if by else None}


def room_settings_event(
    *, ts: int, words: Sequence[str] | None = None, classifier_actions: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Internal (never sent to sockets): the settings that changed, each whole; a field left out is unchanged."""
    ev: dict[str, Any] = {"type": C.EV_ROOM_SETTINGS, "ts": ts}
    if words is not None:
        ev["words"] = list(words)
    if classifier_actions is not None:
        ev["classifier_actions"] = dict(classifier_actions)
    return ev


def presence_event(*, count: int) -> dict[str, Any]:
    return {"type": C.EV_PRESENCE, "count": count}


def ack_event(*, ref: str | None, status: str, message_id: str | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": C.EV_ACK, "ref": ref, "status": status}
    if message_id is not None:
        ev["id"] = message_id
    return ev


def error_event(*, code: str, message: str, ref: str | None = None, retry_after: float | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": C.EV_ERROR, "code": code, "message": message}
    if ref is not None:
        ev["ref"] = ref
    if retry_after is not None:
        ev["retry_after"] = round(retry_after, 3)
    return ev


def pong_event(*, ref: str | None, ts: int) -> dict[str, Any]:
    return {"type": C.EV_PONG, "ref": ref, "ts": ts}


def encode_welcome(
    *,
    room: str,
    node: str,
    seq: int,
    you: Mapping[str, Any],
    mode: Mapping[str, Any],
    presence: int,
    resumed: bool,
    history: Iterable[bytes],
) -> bytes:
    """The welcome frame. ``history`` holds already-encoded frames, spliced in as-is."""
    head = _dumps(
        {
            "type": C.EV_WELCOME,
            "v": C.PROTOCOL_VERSION,
            "room": room,
            "node": node,
            "seq": seq,
            "resumed": resumed,
            "you": dict(you),
            "mode": dict(mode),
            "presence": presence,
        }
    ).encode()
    return head[:-1] + b',"history":[' + b",".join(history) + b"]}"


def decode_event(frame: str | bytes) -> dict[str, Any]:
    """Client side: parse one server frame (tests, bench, Python clients)."""
    obj = _loads(frame)
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise ProtocolError(C.ERR_BAD_FRAME, "not an event")
    return obj
