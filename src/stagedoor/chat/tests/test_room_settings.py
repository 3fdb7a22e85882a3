"""Room settings that reach open gateways without reaching viewers: the internal `room.settings` event folded
into `RoomState`, kept out of every socket by the hub, and the room's classifier actions handed to the
classifier by the pipeline. Pure: fake transports, no sockets."""

from __future__ import annotations

from typing import Any

from stagedoor.chat import codes as C
from stagedoor.chat import protocol as P
from stagedoor.chat.hub import RoomHub
from stagedoor.chat.pipeline.classifier import ALLOW, ClassifyContext, Verdict
from stagedoor.chat.pipeline.message import ACCEPTED, REFUSED, MessagePipeline
from stagedoor.chat.room import RoomState
from stagedoor.chat.ticket import ChatTicket

from .test_hub import member, tr


def _tail(event: dict[str, Any]) -> bytes:
    return P.encode_tail(event)


def test_room_settings_replace_words_and_classifier_actions_and_leave_the_rest() -> None:
    state = RoomState("r1", banned={"9"})
    state.apply(P.room_settings_event(ts=1, words=["melon", "kiwi*"]))
    assert (state.words.find("i like melon"), state.words.find("kiwis")) == ("melon", "kiwis")
    assert state.classifier_actions == {}  # not in the event: unchanged
    state.apply(P.room_settings_event(ts=2, classifier_actions={"scam": "block", "harassment": "allow"}))
    assert state.classifier_actions == {"scam": "block", "harassment": "allow"}
    assert state.words.find("melon") == "melon"  # not in the event: unchanged
    state.apply(P.room_settings_event(ts=3, words=[], classifier_actions={}))
    assert (state.words.find("melon"), state.classifier_actions, state.banned) == (None, {}, {"9"})


def test_malformed_room_settings_are_dropped_not_trusted() -> None:
    state = RoomState("r1")
    state.apply(P.room_settings_event(ts=1, words=["melon"], classifier_actions={"scam": "block"}))
    # a value that is not a mapping empties the actions; non-string pairs are dropped; words not a list: unchanged
    state.apply({"type": C.EV_ROOM_SETTINGS, "classifier_actions": {"scam": 2, "doxxing": "block", "7": None}})
    assert state.classifier_actions == {"doxxing": "block"}
    state.apply({"type": C.EV_ROOM_SETTINGS, "classifier_actions": ["scam"], "words": "melon"})
    assert state.classifier_actions == {}
    assert state.words.find("melon") == "melon"


def test_the_hub_applies_internal_events_but_never_writes_them_to_a_socket() -> None:
    applied: list[str] = []
    hub = RoomHub("r1", on_event=lambda e: applied.append(e["type"]))
    hub.load([], last_seq=0)
    m = member("1")
    hub.join(m, last_seq=None, node="n", mode={})
    hub.deliver(P.frame_with_seq(1, _tail(P.notice_event(text="hi", ts=1))))
    hub.deliver(P.frame_with_seq(2, _tail(P.room_settings_event(ts=2, classifier_actions={"scam": "block"}))))
    hub.deliver(P.frame_with_seq(3, _tail(P.notice_event(text="again", ts=3))))
    assert applied == [C.EV_NOTICE, C.EV_ROOM_SETTINGS, C.EV_NOTICE]
    assert hub.last_seq == 3
    sent = tr(m).frames()
    assert [(e["type"], e.get("seq")) for e in sent] == [(C.EV_WELCOME, 0), (C.EV_NOTICE, 1), (C.EV_NOTICE, 3)]
    assert b"block" not in b"".join(tr(m).writes)

    # a client resuming from before the settings event gets the notices around it, not the event
    late = member("2")
    assert hub.join(late, last_seq=0, node="n", mode={}) is True
    assert [(e["type"], e.get("seq")) for e in tr(late).frames()] == [
        (C.EV_WELCOME, 3),
        (C.EV_NOTICE, 1),
        (C.EV_NOTICE, 3),
    ]
    # a fresh join's history has no internal event either
    fresh = member("3")
    hub.join(fresh, last_seq=None, node="n", mode={})
    assert [e["text"] for e in tr(fresh).frames()[0]["history"]] == ["hi", "again"]


def test_a_node_that_opens_the_room_late_applies_the_rings_settings_in_order() -> None:
    state = RoomState("r1", classifier_actions={"scam": "hold"})  # as loaded from the database
    hub = RoomHub("r1", on_event=state.apply)
    hub.load(
        [
            P.frame_with_seq(5, _tail(P.room_settings_event(ts=5, classifier_actions={"scam": "allow"}))),
            P.frame_with_seq(4, _tail(P.room_settings_event(ts=4, classifier_actions={"scam": "block"}))),
        ],
        last_seq=5,
    )
    assert state.classifier_actions == {"scam": "allow"}  # the later one wins, whatever order they came in


class RecordingClassifier:
    def __init__(self) -> None:
        self.seen: list[ClassifyContext] = []

    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        self.seen.append(ctx)
        return ALLOW


def _sender() -> ChatTicket:
    return ChatTicket(
        room="r1", user_id="7", login="ann", role="viewer", perms=frozenset({"read", "write"}), exp=0, flags=frozenset()
    )


def test_the_pipeline_hands_the_rooms_classifier_actions_to_the_classifier() -> None:
    classifier = RecordingClassifier()
    pipeline = MessagePipeline(classifier=classifier)
    state = RoomState("r1")
    assert pipeline.check(sender=_sender(), room=state, text="hello", ip=None, now=0.0, mono=0.0).status == ACCEPTED
    state.apply(P.room_settings_event(ts=1, classifier_actions={"scam": "block"}))
    assert pipeline.check(sender=_sender(), room=state, text="hello", ip=None, now=0.0, mono=5.0).status == ACCEPTED
    assert [dict(c.room_actions) for c in classifier.seen] == [{}, {"scam": "block"}]
    assert [c.room for c in classifier.seen] == ["r1", "r1"]


def test_words_changed_while_the_room_is_open_refuse_the_next_line() -> None:
    pipeline = MessagePipeline()
    state = RoomState("r1")
    assert pipeline.check(sender=_sender(), room=state, text="melon time", ip=None, now=0.0, mono=0.0).status == (
        ACCEPTED
    )
    state.apply(P.room_settings_event(ts=1, words=["melon"]))
    out = pipeline.check(sender=_sender(), room=state, text="melon time", ip=None, now=0.0, mono=5.0)
    assert (out.status, out.code) == (REFUSED, C.ERR_BLOCKED_WORD)
