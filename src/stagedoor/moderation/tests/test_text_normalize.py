"""Normalisation of chat text: every evasion comes back to the plain word (moderation.text.normalize)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stagedoor.chat.pipeline.normalize import display_text, skeleton
from stagedoor.moderation.text.normalize import fast_skeleton, heal, model_text, normalize


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("add me on ｓｎａｐ", "add me on snap"),  # fullwidth
        ("add me on 𝐬𝐧𝐚𝐩", "add me on snap"),  # mathematical bold
        ("add me on 𝓈𝓃𝒶𝓅", "add me on snap"),  # mathematical script
        ("аdd mе оn tеlеgrаm", "add me on telegram"),  # Cyrillic а, е, о
        ("add me on τεlεgrαm", "add me on telegram"),  # Greek τ, ε, α
        ("add me on ϲashapp", "add me on cashapp"),  # Greek lunate sigma (the chat skeleton reads an o)
        ("ᴀᴅᴅ ᴍᴇ", "add me"),  # small capitals
        ("sn4pch4t", "snapchat"),  # leetspeak 4 -> a
        ("t3l3gr4m", "telegram"),  # 3 -> e
        ("h0tmail", "hotmail"),  # 0 -> o
        ("k1k", "kik"),  # 1 -> i
        ("5nap", "snap"),  # 5 -> s
        ("s7ar", "star"),  # 7 -> t
        ("c@shapp", "cashapp"),  # @ -> a inside a word
        ("ca$happ", "cashapp"),  # $ -> s inside a word
        ("s n a p", "snap"),  # spaces between letters
        ("s.n.a.p", "snap"),  # dots
        ("s-n-a-p", "snap"),  # dashes
        ("s_n_a_p", "snap"),  # underscores
        ("s🔥n🔥a🔥p", "snap"),  # emoji separators
        ("t✨g", "tg"),  # two letters glued by an emoji
        ("t.g", "tg"),  # two letters glued by a dot
        ("s\u200bn\u200ba\u200bp", "snap"),  # zero-width spaces
        ("s\u200dn\u200da\u200dp", "snap"),  # zero-width joiners
        ("five five five oh one two three four", "55501234"),  # digits as words
        ("1 2 3 4 5 6 7", "1234567"),  # spaced digits
        ("kate at gmail dot com", "kate@gmail.com"),  # "at" / "dot"
        ("kate (at) proton [dot] me", "kate@proton.me"),  # bracketed
        ("kate [at] hotmail [.] com", "kate@hotmail.com"),
        ("site . com", "site.com"),
        ("twitter 👉 bluebird", "twitter -> bluebird"),  # an arrow is kept as one
        ("i'm fourteen", "i'm 14"),
    ],
)
def test_each_evasion_is_undone(raw: str, canonical: str) -> None:
    assert normalize(raw).canonical == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("I was 15 when this song came out", "i was 15 when this song came out"),
        ("we won 21-14 at home", "we won 21-14 at home"),  # a score is not a phone number
        ("scores 3-1, 2-0 and 4-2", "scores 3-1, 2-0 and 4-2"),  # different separators: not one number
        ("see you at 10pm", "see you at 10pm"),  # a time keeps its digits
        ("my 3rd show and 1st tip", "my 3rd show and 1st tip"),  # ordinals keep theirs
        ("can you pretend you're a 1 3", "can you pretend you're a 1 3"),  # "a" is an article, not a letter
        ("email me at kate.r@gmail.com", "email me at kate.r@gmail.com"),  # an address keeps its @
        ("pay to $janedoe", "pay to $janedoe"),  # contact form keeps a cashtag
        ("eth 0xab12cd34", "eth 0xab12cd34"),  # hex is not leetspeak
    ],
)
def test_ordinary_text_is_left_alone(raw: str, canonical: str) -> None:
    assert normalize(raw).contact == canonical


def test_contact_form_keeps_digits_and_canonical_folds_leet() -> None:
    f = normalize("add me on sn4p, call 555 0134 567")
    assert f.contact == "add me on sn4p, call 555 0134 567"
    assert f.canonical == "add me on snap, call 555 0134 567"


def test_joined_form_rejoins_a_word_split_across_lines() -> None:
    # the chat display turns the line break into a space; the joined form drops every separator
    shown = display_text("add me on tele\ngram")
    assert shown == "add me on tele gram"
    assert normalize(shown).joined == "addmeontelegram"


def test_heal_joins_pieces_of_a_known_word_only() -> None:
    lexicon = frozenset({"add", "me", "on", "telegram", "you", "are", "slob", "in", "to", "into"})
    assert heal("add me on tele gram", lexicon) == "add me on telegram"
    assert heal("you are a sl ob, lol", lexicon) == "you are a slob, lol"
    assert heal("in to", lexicon) == "in to"  # both are words already: left alone
    assert normalize("add me on tele\ngram", lexicon=lexicon).canonical == "add me on telegram"


def test_model_text_replaces_numbers_by_their_kind() -> None:
    assert model_text("i'm 14 and you're 34, born 1990, 7 cats, 250 tokens") == (
        "i'm nteen and you're nadult, born nyear, nsmall cats, nbig tokens"
    )
    assert model_text("kitty99 at 10pm") == "kitty99 at 10pm"  # digits inside words stay


@pytest.mark.parametrize(
    "text",
    [
        "Hello World",
        "  lots   of\n\tspace  ",
        "tabs\tand\x0bvertical\x0cfeeds",
        "ctrl\x01chars\x7fgone",
        "file\x1cseparator",
        "",
        "MiXeD CaSe 123 !?",
    ],
)
def test_fast_skeleton_is_the_chat_skeleton(text: str) -> None:
    assert fast_skeleton(text) == skeleton(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_fast_skeleton_matches_on_any_ascii(text: str) -> None:
    assert fast_skeleton(text) == skeleton(text)


def test_fast_skeleton_matches_on_the_shipped_data() -> None:
    from stagedoor.moderation.text.training import heldout_examples

    lines = [e.text for e in heldout_examples()]
    assert len(lines) > 1000
    mismatched = [t for t in lines if t.isascii() and fast_skeleton(t) != skeleton(t)]
    assert mismatched == []
