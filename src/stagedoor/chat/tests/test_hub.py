"""RoomHub with fake transports: fan-out, slow consumers, sequencing, history, resume."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.hub import Member, RoomHub, ws_text_frame


class FakeTransport:
    def __init__(self, buffered: int = 0) -> None:
        self.writes: list[bytes] = []
        self.buffered = buffered
        self.closing = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return self.closing

    def frames(self) -> list[dict[str, Any]]:
        """Decode the unmasked server frames written so far."""
        data = b"".join(self.writes)
        out = []
        pos = 0
        while pos < len(data):
            assert data[pos] == 0x81  # FIN + text
            ln = data[pos + 1]
            hl = 2
            if ln == 126:
                ln = int.from_bytes(data[pos + 2 : pos + 4], "big")
                hl = 4
            elif ln == 127:
                ln = int.from_bytes(data[pos + 2 : pos + 10], "big")
                hl = 10
            out.append(json.loads(data[pos + hl : pos + hl + ln]))
            pos += hl + ln
        return out


def member(uid: str | None = None, role: str = "viewer", buffered: int = 0) -> Member:
    return Member(FakeTransport(buffered), {"id": uid, "login": f"u{uid}", "role": role, "perms": ["read"]})


def tr(m: Member) -> FakeTransport:
    assert isinstance(m.transport, FakeTransport)
    return m.transport


def msg(seq: int, uid: str = "1", mid: str | None = None) -> bytes:
    ev = P.message_event(message_id=mid or f"m{seq}", user=P.user_ref(uid, f"u{uid}", "viewer"), text=f"t{seq}", ts=seq)
    return P.frame_with_seq(seq, P.encode_tail(ev))


def deleted(seq: int, mid: str) -> bytes:
    return P.frame_with_seq(seq, P.encode_tail(P.message_deleted_event(message_id=mid, by={"id": 9}, ts=seq)))


def hub(**kw: Any) -> RoomHub:
    h = RoomHub("r", **kw)
    h.load([])
    return h


def join(h: RoomHub, m: Member, last_seq: int | None = None) -> bool:
    return h.join(m, last_seq=last_seq, node="n1", mode={"slow_seconds": 0})


def test_ws_text_frame_lengths() -> None:
    assert ws_text_frame(b"hi") == b"\x81\x02hi"
    assert ws_text_frame(b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert ws_text_frame(b"x" * 70000)[:10] == b"\x81\x7f" + (70000).to_bytes(8, "big")


def test_one_encoding_same_bytes_to_every_socket() -> None:
    h = hub()
    members = [member(str(i)) for i in range(5)]
    for m in members:
        join(h, m)
    h.deliver(msg(1))
    last = [tr(m).writes[-1] for m in members]
    assert all(w is last[0] for w in last)  # the very same object
    assert tr(members[0]).frames()[-1]["seq"] == 1


def test_coalescing_batches_one_iteration_into_one_write() -> None:
    scheduled: list[Callable[[], None]] = []
    h = hub(schedule=scheduled.append)
    m = member("1")
    join(h, m)
    before = len(tr(m).writes)
    h.deliver(msg(1))
    h.deliver(msg(2))
    h.deliver(msg(3))
    assert len(scheduled) == 1 and len(tr(m).writes) == before
    scheduled.pop()()
    assert len(tr(m).writes) == before + 1
    assert [f["seq"] for f in tr(m).frames()[1:]] == [1, 2, 3]


def test_unicast_never_overtakes_a_queued_batch() -> None:
    scheduled: list[Callable[[], None]] = []
    h = hub(schedule=scheduled.append)
    m = member("1")
    join(h, m)
    h.deliver(msg(1))
    h.send(m, P.ack_event(ref="n", status="accepted", message_id="m1"))
    assert [f["type"] for f in tr(m).frames()] == ["welcome"]  # the ack did not force a flush
    h.deliver(msg(2))
    scheduled.pop()()
    assert not scheduled
    assert [f["type"] for f in tr(m).frames()] == ["welcome", "message", "message", "ack"]
    h.send(m, P.pong_event(ref="p", ts=0))  # nothing queued: straight out
    assert tr(m).frames()[-1]["type"] == "pong"


def test_slow_consumer_dropped_room_goes_on() -> None:
    h = hub(max_buffer_bytes=1000)
    fast, slow = member("1"), member("2", buffered=5000)
    join(h, fast)
    join(h, slow)
    h.deliver(msg(1))
    assert slow.kicked == (C.CLOSE_SLOW_CONSUMER, "slow consumer: send buffer overflow")
    assert slow not in h.members and len(h) == 1 and h.dropped == 1
    h.deliver(msg(2))
    assert [f["seq"] for f in tr(fast).frames() if f["type"] == "message"] == [1, 2]
    assert len(tr(slow).frames()) == 1  # only its welcome


def test_closing_transports_are_skipped() -> None:
    h = hub()
    m = member("1")
    join(h, m)
    tr(m).closing = True
    h.deliver(msg(1))
    assert len(tr(m).writes) == 1 and m.kicked is None


def test_duplicates_dropped_and_gaps_held_until_filled() -> None:
    gaps: list[tuple[int, int]] = []
    h = RoomHub("r", on_gap=lambda hub, last, seen: gaps.append((last, seen)))
    h.load([])
    m = member("1")
    join(h, m)
    h.deliver(msg(1))
    h.deliver(msg(1))  # duplicate
    h.deliver(msg(3))  # gap: 2 missing
    assert gaps == [(1, 3)]
    assert [f["seq"] for f in tr(m).frames()[1:]] == [1]
    h.deliver(msg(4))
    h.deliver(msg(2))  # the fill
    assert [f["seq"] for f in tr(m).frames()[1:]] == [1, 2, 3, 4]
    assert h.last_seq == 4 and not h.pending and h.gap_since is None


def test_unfillable_gap_is_skipped() -> None:
    h = hub()
    m = member("1")
    join(h, m)
    h.deliver(msg(1))
    h.deliver(msg(5))
    h.skip_gap()
    assert [f["seq"] for f in tr(m).frames()[1:]] == [1, 5]
    assert h.last_seq == 5


def test_frames_before_load_are_held_then_released_in_order() -> None:
    h = RoomHub("r")
    h.deliver(msg(3))
    h.deliver(msg(2))  # arrived live while the ring was being fetched
    h.load([msg(1), msg(2)], last_seq=2)
    assert h.last_seq == 3
    assert [e.seq for e in h.ring] == [1, 2, 3]


def test_history_is_last_50_visible_messages() -> None:
    h = hub()
    for s in range(1, 61):
        h.deliver(msg(s))
    h.deliver(deleted(61, "m60"))
    h.deliver(
        P.frame_with_seq(62, P.encode_tail(P.user_purged_event(user_id="1", message_ids=["m59", "m58"], by={}, ts=0)))
    )
    m = member("2")
    assert join(h, m) is False
    welcome = tr(m).frames()[0]
    assert welcome["type"] == "welcome" and welcome["seq"] == 62 and welcome["resumed"] is False
    ids = [e["id"] for e in welcome["history"]]
    assert len(ids) == 50
    assert ids[-1] == "m57" and ids[0] == "m8"
    assert not {"m58", "m59", "m60"} & set(ids)


def test_resume_gets_exactly_what_it_missed() -> None:
    h = hub()
    for s in range(1, 11):
        h.deliver(msg(s))
    h.deliver(deleted(11, "m9"))
    m = member("2")
    assert join(h, m, last_seq=6) is True
    frames = tr(m).frames()
    assert frames[0]["type"] == "welcome" and frames[0]["resumed"] is True and frames[0]["history"] == []
    # 7, 8, 10 and the deletion; m9 was deleted so it is not replayed
    assert [f["seq"] for f in frames[1:]] == [7, 8, 10, 11]
    h.deliver(msg(12))
    assert [f["seq"] for f in tr(m).frames()[1:]] == [7, 8, 10, 11, 12]


def test_resume_when_up_to_date_sends_nothing_more() -> None:
    h = hub()
    h.deliver(msg(1))
    m = member("2")
    assert join(h, m, last_seq=1) is True
    assert len(tr(m).frames()) == 1


def test_resume_too_old_or_from_the_future_gets_a_fresh_welcome() -> None:
    h = hub(ring_size=5)
    for s in range(1, 21):
        h.deliver(msg(s))
    old, future = member("2"), member("3")
    assert join(h, old, last_seq=3) is False
    assert join(h, future, last_seq=99) is False
    for m in (old, future):
        w = tr(m).frames()[0]
        assert w["resumed"] is False and [e["seq"] for e in w["history"]] == [16, 17, 18, 19, 20]


def test_join_after_unflushed_batch_sees_no_duplicate() -> None:
    scheduled: list[Callable[[], None]] = []
    h = hub(schedule=scheduled.append)
    a = member("1")
    join(h, a)
    h.deliver(msg(1))  # queued, not yet written
    b = member("2")
    join(h, b, last_seq=0)  # join flushes first, then replays from the ring
    for f in scheduled:
        f()
    assert [f["seq"] for f in tr(b).frames()[1:]] == [1]
    assert [f["seq"] for f in tr(a).frames()[1:]] == [1]


def test_events_reach_the_room_state_hook_and_kick_user() -> None:
    seen: list[str] = []
    h = RoomHub("r", on_event=lambda ev: seen.append(ev["type"]))
    h.load([])
    a, a2, b = member("1"), member("1"), member("2")
    for m in (a, a2, b):
        join(h, m)
    h.deliver(msg(1))
    assert seen == ["message"]
    assert h.kick_user("1", C.CLOSE_BANNED, "banned") == 2
    assert a.kicked == (C.CLOSE_BANNED, "banned") and len(h) == 1


def test_moderation_lookups() -> None:
    h = hub()
    h.deliver(msg(1, uid="5"))
    h.deliver(msg(2, uid="6"))
    h.deliver(msg(3, uid="5"))
    h.deliver(deleted(4, "m1"))
    assert h.message_author("m2") == ("6", "viewer")
    assert h.message_author("nope") is None
    assert h.user_message_ids("5") == ("m3",)
    assert h.user_role("6") == "viewer" and h.user_role("77") is None


@settings(max_examples=60, deadline=None)
@given(
    n_events=st.integers(min_value=0, max_value=80),
    cut=st.integers(min_value=0, max_value=80),
    deletes=st.sets(st.integers(min_value=1, max_value=80), max_size=10),
    ring=st.integers(min_value=5, max_value=100),
)
def test_resume_property(n_events: int, cut: int, deletes: set[int], ring: int) -> None:
    """Whatever the history, a resumed client ends up with every sequence after its cut
    exactly once (deleted messages excepted), or is told to start afresh."""
    h = hub(ring_size=ring)
    seq = 0
    for i in range(1, n_events + 1):
        seq += 1
        h.deliver(msg(seq, mid=f"m{i}"))
        if i in deletes:
            seq += 1
            h.deliver(deleted(seq, f"m{i}"))
    cut = min(cut, seq)
    m = member("9")
    resumed = join(h, m, last_seq=cut)
    frames = tr(m).frames()
    if not resumed:
        assert frames[0]["resumed"] is False
        assert ring < seq - cut + 1 or cut > seq
        return
    got = [f["seq"] for f in frames[1:]]
    assert got == sorted(set(got))  # in order, no duplicates
    deleted_ids = {f"m{i}" for i in deletes}
    expected = [e.seq for e in h.ring if e.seq > cut and not (e.kind == "message" and e.msg_id in deleted_ids)]
    assert got == expected
    assert all(s > cut for s in got)
