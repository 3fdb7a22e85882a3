"""Every pipeline stage as a pure unit, then the stages in order."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline import size
from stagedoor.chat.pipeline.classifier import Action, ClassifierChain, ClassifyContext, Verdict
from stagedoor.chat.pipeline.contacts import ContactPolicy, check_contacts, has_email, has_link, has_phone
from stagedoor.chat.pipeline.message import ACCEPTED, HELD, REFUSED, MessagePipeline, PipelineConfig
from stagedoor.chat.pipeline.normalize import display_text, mentions, skeleton
from stagedoor.chat.pipeline.ratelimit import SlowMode, TokenBucketLimiter
from stagedoor.chat.pipeline.sink import BatchingSink, ChatRecord, DeletionRecord, InMemorySink
from stagedoor.chat.pipeline.wordlist import WordList
from stagedoor.chat.room import RoomMode, RoomState
from stagedoor.chat.ticket import ChatTicket

# --- size -----------------------------------------------------------------------------


def test_size_limits() -> None:
    assert size.check_display_size("a" * 500) is None
    r = size.check_display_size("a" * 501)
    assert r is not None and r.code == C.ERR_MESSAGE_TOO_LONG
    r = size.check_display_size("")
    assert r is not None and r.code == C.ERR_MESSAGE_EMPTY
    assert size.check_raw_size("a" * 2000) is None
    r = size.check_raw_size("a" * 2001)
    assert r is not None and r.code == C.ERR_MESSAGE_TOO_LONG


# --- normalization --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("he\u200bl\u200dlo", "hello"),  # zero-width space / joiner inside a word
        ("\u202eevil\u202c", "evil"),  # bidi override
        ("a\u00adb", "ab"),  # soft hyphen
        ("tag\U000e0041s", "tags"),  # tag characters
        ("  lots   of\n\tspace  ", "lots of space"),
        ("\u3164\u2800", ""),  # fillers that look like nothing
        ("e\u0301", "é"),  # NFC
        ("Z" + "\u0301" * 10, "Ź\u0301"),  # Zalgo capped at two marks
        (
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
            "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        ),  # family emoji kept
        ("\u2764\ufe0f", "\u2764\ufe0f"),  # variation selector after emoji kept
    ],
)
def test_display_text(raw: str, shown: str) -> None:
    assert display_text(raw) == shown


@pytest.mark.parametrize(
    ("raw", "skel"),
    [
        ("ＦＵＬＬＷＩＤＴＨ", "fullwidth"),
        ("𝐛𝐨𝐥𝐝 𝓈𝒸𝓇𝒾𝓅𝓉", "bold script"),
        ("раураl", "paypal"),  # Cyrillic р, а, у
        ("ΗΕLLΟ", "nello"),  # Greek capitals -> look-alike latin (eta looks like n lower-cased)
        ("ᴄᴀᴍ", "cam"),  # small capitals
        ("Ⓐⓑⓒ", "abc"),
        ("café", "cafe"),
        ("\U0001f1e8\U0001f1e6\U0001f1f2", "cam"),  # regional indicators
    ],
)
def test_skeleton_folds_lookalikes(raw: str, skel: str) -> None:
    assert skeleton(raw) == skel


@given(st.text(max_size=200))
def test_display_text_is_idempotent_and_never_grows_invisibles(text: str) -> None:
    once = display_text(text)
    assert display_text(once) == once
    assert "\u200b" not in once and "\u202e" not in once


def test_mentions() -> None:
    assert mentions("hey @Alice, @bob_2 and @alice; mail@example.com") == ["alice", "bob_2"]


# --- rate limits ----------------------------------------------------------------------


def test_token_bucket_owncast_defaults_then_mute() -> None:
    lim = TokenBucketLimiter()  # 3 per 2 s, 10 s mute
    assert [lim.hit("u", 0.0) for _ in range(3)] == [None, None, None]
    r = lim.hit("u", 0.1)
    assert r is not None and r.code == C.ERR_MUTED and r.retry_after == 10.0
    r = lim.hit("u", 9.0)  # still muted, even though the bucket refilled
    assert r is not None and r.code == C.ERR_MUTED and r.retry_after == pytest.approx(1.1)
    assert lim.hit("u", 10.2) is None
    assert lim.hit("other", 0.1) is None  # keys are independent


def test_token_bucket_refills_at_its_rate() -> None:
    lim = TokenBucketLimiter(burst=3, per_seconds=2.0, mute_seconds=0)
    for _ in range(3):
        assert lim.hit("ip", 0.0) is None
    r = lim.hit("ip", 0.0)
    assert r is not None and r.code == C.ERR_RATE_LIMITED and r.retry_after == pytest.approx(2 / 3)
    assert lim.hit("ip", 0.7) is None  # 1.5 tokens per second
    assert lim.prune(100.0) == 1 and len(lim) == 0


def test_slow_mode() -> None:
    slow = SlowMode()
    assert slow.hit("k", 30, 0.0) is None
    r = slow.hit("k", 30, 10.0)
    assert r is not None and r.code == C.ERR_SLOW_MODE and r.retry_after == 20.0
    assert slow.hit("k", 30, 30.0) is None
    assert slow.hit("k", 0, 30.1) is None  # off


# --- contacts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/x",
        "visit mysite.com",
        "www.example.xyz",
        "mysite dot com",
        "mysite (dot) com",
        "mysite[.]net",
        "mysite . com",
        "mysite d0t c0m",
        "ｍｙｓｉｔｅ．ｃｏｍ",
        "mуsitе.com",  # Cyrillic у and е
        "my onlyfans is ...",
        "add my snap: cutie",
        "t.me/somebody",
    ],
)
def test_links_detected(text: str) -> None:
    assert has_link(text)


@pytest.mark.parametrize(
    "text", ["hello there", "e.g. this one", "see you at 5.30", "ok. me too", "I like dots", "great show!!!"]
)
def test_not_links(text: str) -> None:
    assert not has_link(text)


@pytest.mark.parametrize(
    "text",
    [
        "jane@example.com",
        "jane (at) hotmail (dot) com",
        "jane at example dot com",
        "write me at gmail",
        "jane@gmail",
        "j a n e @ g m a i l",
        "jane[at]yahoo",
    ],
)
def test_emails_detected(text: str) -> None:
    assert has_email(text)


@pytest.mark.parametrize("text", ["look at this", "meet at home", "@alice hi", "at last"])
def test_not_emails(text: str) -> None:
    assert not has_email(text)


@pytest.mark.parametrize(
    "text",
    [
        "555-123-4567",
        "+44 20 7946 0958",
        "(555) 123 4567",
        "call 5 5 5 1 2 3 4",
        "five five five one two three four",
        "5o5 123 4567",
        "５５５１２３４５６７",
    ],
)
def test_phones_detected(text: str) -> None:
    assert has_phone(text)


@pytest.mark.parametrize("text", ["I have 3 cats", "tip 100 tokens", "at 10:30", "2 or 3 times"])
def test_not_phones(text: str) -> None:
    assert not has_phone(text)


def test_contact_policy_only_checks_forbidden_kinds() -> None:
    text = "mail jane@example.com"
    assert check_contacts(text, ContactPolicy()) is None
    assert check_contacts(text, ContactPolicy(emails=False)) == C.ERR_EMAIL_NOT_ALLOWED
    assert check_contacts("site.com", ContactPolicy(links=False)) == C.ERR_LINK_NOT_ALLOWED
    assert check_contacts("555 123 4567", ContactPolicy(phones=False)) == C.ERR_PHONE_NOT_ALLOWED


# --- word lists -----------------------------------------------------------------------

WORDS = WordList(["badword", "scum*", "ass"])


@pytest.mark.parametrize(
    "text",
    [
        "badword",
        "BADWORD!",
        "b4dw0rd",
        "baaaadwooord",
        "b a d w o r d",
        "b.a.d.w.o.r.d",
        "lol b-a-d-w-o-r-d x",
        "badw ord",
        "ｂａｄｗｏｒｄ",
        "bаdword",  # Cyrillic а
        "bad\u200bword",
        "scumbag",
        "$cum",
        "a s s",
        "scu mbag?",  # split once
    ],
)
def test_word_list_catches_variants(text: str) -> None:
    assert WORDS.find(text) is not None


@pytest.mark.parametrize("text", ["class act", "as I said", "passage", "good word", "scuba"])
def test_word_list_leaves_innocent_words(text: str) -> None:
    assert WORDS.find(text) is None


def test_empty_word_list() -> None:
    assert not WordList([])
    assert WordList([" ", "*"]).find("anything") is None


# --- classifier -----------------------------------------------------------------------


class Fixed:
    def __init__(self, v: Verdict) -> None:
        self.v = v

    def classify(self, text: str, ctx: ClassifyContext) -> Verdict:
        return self.v


def test_classifier_chain_keeps_most_severe() -> None:
    ctx = ClassifyContext(room="r", user_id="1", role="viewer", skeleton="x")
    chain = ClassifierChain(
        [Fixed(Verdict(Action.ALLOW)), Fixed(Verdict(Action.HOLD, "maybe")), Fixed(Verdict(Action.ALLOW))]
    )
    assert chain.classify("x", ctx) == Verdict(Action.HOLD, "maybe")
    chain = ClassifierChain([Fixed(Verdict(Action.HOLD, "a")), Fixed(Verdict(Action.BLOCK, "b"))])
    assert chain.classify("x", ctx).action is Action.BLOCK


# --- sinks ----------------------------------------------------------------------------


def _rec(i: int) -> ChatRecord:
    return ChatRecord(message_id=f"m{i}", room="r", seq=i, user_id="1", login="a", role="viewer", text="t", ts=i)


def test_batching_sink_writes_in_batches() -> None:
    batches: list[tuple[int, int]] = []

    async def writer(records: list[ChatRecord], deletions: list[DeletionRecord]) -> None:
        batches.append((len(records), len(deletions)))

    async def main() -> None:
        sink = BatchingSink(writer, max_batch=10, max_delay=60)
        for i in range(25):
            sink.add(_rec(i))
        sink.add_deletion(DeletionRecord("r", ("m1",), "9", 1))
        await sink.close()
        assert sink.stats.written == 25

    asyncio.run(main())
    assert sum(n for n, _ in batches) == 25
    assert all(n <= 10 for n, _ in batches)
    assert sum(d for _, d in batches) == 1


def test_batching_sink_survives_a_failing_writer_and_bounds_memory() -> None:
    async def writer(records: list[ChatRecord], deletions: list[DeletionRecord]) -> None:
        raise OSError("database down")

    async def main() -> None:
        sink = BatchingSink(writer, max_batch=10, max_delay=60, max_pending=5)
        for i in range(8):
            sink.add(_rec(i))
        await sink.close()
        assert sink.stats.dropped == 3 + 5 and sink.stats.failed_batches == 1 and sink.stats.written == 0

    asyncio.run(main())


# --- the whole pipeline ----------------------------------------------------------------


def _ticket(
    uid: str | None = "7",
    role: str = "viewer",
    perms: frozenset[str] | None = None,
    flags: frozenset[str] = frozenset(),
) -> ChatTicket:
    if perms is None:
        perms = frozenset({C.PERM_READ, C.PERM_WRITE}) if uid is not None else frozenset({C.PERM_READ})
    return ChatTicket(room="r", user_id=uid, login="u", role=role, perms=perms, exp=0, flags=flags)


MOD = _ticket("99", "chat_host", frozenset({C.PERM_READ, C.PERM_WRITE, C.PERM_MODERATE}))


def check(
    p: MessagePipeline,
    room: RoomState,
    text: str,
    t: ChatTicket | None = None,
    mono: float = 0.0,
    now: float = 1000.0,
    ip: str | None = "1.2.3.4",
) -> tuple[str, str | None]:
    o = p.check(sender=t or _ticket(), room=room, text=text, ip=ip, now=now, mono=mono)
    return o.status, o.code


def test_pipeline_accepts_and_normalizes() -> None:
    p = MessagePipeline()
    o = p.check(sender=_ticket(), room=RoomState("r"), text=" hi\u200b @Bob ", ip=None, now=0, mono=0)
    assert (o.status, o.text, o.mentions) == (ACCEPTED, "hi @Bob", ("bob",))


def test_pipeline_who_may_write() -> None:
    p = MessagePipeline()
    room = RoomState("r")
    assert check(p, room, "hi", _ticket(None)) == (REFUSED, C.ERR_FORBIDDEN)
    assert check(p, room, "hi", _ticket("5", perms=frozenset({C.PERM_READ}))) == (REFUSED, C.ERR_FORBIDDEN)
    room.banned.add("7")
    assert check(p, room, "hi") == (REFUSED, C.ERR_BANNED)
    room.banned.clear()
    room.timeouts["7"] = 1060.0
    o = p.check(sender=_ticket(), room=room, text="hi", ip=None, now=1000.0, mono=0)
    assert (o.code, o.retry_after) == (C.ERR_TIMED_OUT, 60.0)
    assert check(p, room, "hi", now=1061.0) == (ACCEPTED, None)
    assert "7" not in room.timeouts


@pytest.mark.parametrize(
    ("audience", "flag"),
    [
        (C.AUDIENCE_REGISTERED, "registered"),
        (C.AUDIENCE_FOLLOWERS, "follower"),
        (C.AUDIENCE_TOKEN_HOLDERS, "token_holder"),
    ],
)
def test_pipeline_audience_modes(audience: str, flag: str) -> None:
    p = MessagePipeline()
    room = RoomState("r", mode=RoomMode(audience=audience))
    assert check(p, room, "hi") == (REFUSED, C.ERR_AUDIENCE_RESTRICTED)
    assert check(p, room, "hi", _ticket("8", flags=frozenset({flag}))) == (ACCEPTED, None)
    assert check(p, room, "hi", MOD) == (ACCEPTED, None)


def test_pipeline_flood_mutes_and_refused_lines_count() -> None:
    p = MessagePipeline(PipelineConfig(platform_words=("badword",)))
    room = RoomState("r")
    assert check(p, room, "badword", mono=0.0) == (REFUSED, C.ERR_BLOCKED_WORD)
    assert check(p, room, "one", mono=0.1) == (ACCEPTED, None)
    assert check(p, room, "two", mono=0.2) == (ACCEPTED, None)
    assert check(p, room, "three", mono=0.3) == (REFUSED, C.ERR_MUTED)
    assert check(p, room, "four", mono=5.0) == (REFUSED, C.ERR_MUTED)
    assert check(p, room, "five", mono=10.4) == (ACCEPTED, None)
    # moderators are exempt
    for i in range(10):
        assert check(p, room, f"m{i}", MOD, mono=0.0) == (ACCEPTED, None)


def test_pipeline_per_ip_limit_spans_users() -> None:
    p = MessagePipeline(PipelineConfig(ip_burst=4, user_burst=100))
    room = RoomState("r")
    results = [check(p, room, "hi", _ticket(str(uid)), mono=0.0)[1] for uid in range(1, 7)]
    assert results == [None, None, None, None, C.ERR_RATE_LIMITED, C.ERR_RATE_LIMITED]
    assert check(p, room, "hi", _ticket("50"), ip="5.6.7.8") == (ACCEPTED, None)


def test_pipeline_slow_mode() -> None:
    p = MessagePipeline()
    room = RoomState("r", mode=RoomMode(slow_seconds=30))
    assert check(p, room, "a", mono=0.0) == (ACCEPTED, None)
    assert check(p, room, "b", mono=5.0) == (REFUSED, C.ERR_SLOW_MODE)
    assert check(p, room, "c", mono=31.0) == (ACCEPTED, None)


def test_pipeline_room_policy_and_words() -> None:
    p = MessagePipeline(PipelineConfig(platform_words=("platformbad",)))
    room = RoomState("r", mode=RoomMode(links=False, emails=False, phones=False), words=WordList(["roombad"]))
    assert check(p, room, "go to site dot com", mono=0) == (REFUSED, C.ERR_LINK_NOT_ALLOWED)
    assert check(p, room, "jane at gmail", _ticket("2"), mono=0) == (REFUSED, C.ERR_EMAIL_NOT_ALLOWED)
    assert check(p, room, "555 123 4567", _ticket("3"), mono=0) == (REFUSED, C.ERR_PHONE_NOT_ALLOWED)
    assert check(p, room, "r00mbad", _ticket("4"), mono=0) == (REFUSED, C.ERR_BLOCKED_WORD)
    assert check(p, room, "platform is bad", _ticket("5"), mono=0) == (ACCEPTED, None)
    assert check(p, room, "p l a t f o r m b a d", _ticket("6"), mono=0) == (REFUSED, C.ERR_BLOCKED_WORD)
    assert check(p, RoomState("r2"), "site dot com", _ticket("7"), mono=0) == (ACCEPTED, None)


def test_pipeline_classifier_hold_and_block() -> None:
    room = RoomState("r")
    held = MessagePipeline(classifier=Fixed(Verdict(Action.HOLD, "review")))
    o = held.check(sender=_ticket(), room=room, text="hmm", ip=None, now=0, mono=0)
    assert (o.status, o.text, o.reason) == (HELD, "hmm", "review")
    blocked = MessagePipeline(classifier=Fixed(Verdict(Action.BLOCK, "nope")))
    o = blocked.check(sender=_ticket(), room=room, text="hmm", ip=None, now=0, mono=0)
    assert (o.status, o.code) == (REFUSED, C.ERR_BLOCKED)


def test_pipeline_size_limits() -> None:
    p = MessagePipeline()
    room = RoomState("r")
    assert check(p, room, "\u200b\u200b ") == (REFUSED, C.ERR_MESSAGE_EMPTY)
    assert check(p, room, "x" * 501, _ticket("2")) == (REFUSED, C.ERR_MESSAGE_TOO_LONG)
    # invisible padding does not count against the limit
    assert check(p, room, "x" * 400 + "\u200b" * 400, _ticket("3")) == (ACCEPTED, None)


def test_memory_sink() -> None:
    sink = InMemorySink()
    sink.add(_rec(1))
    assert sink.records == [_rec(1)]
