"""The rules: precise hits per category, and the near-misses they must leave alone."""

from __future__ import annotations

import pytest

from stagedoor.moderation.text.classifier import DEFAULT_MODEL_PATH, shared_moderator
from stagedoor.moderation.text.normalize import normalize
from stagedoor.moderation.text.rules import RULES, SEVERITY_ORDER, find_phone, match_rules


def _hit(text: str) -> tuple[str, str] | None:
    hit = match_rules(normalize(text))
    return None if hit is None else (hit.category, hit.rule)


@pytest.mark.parametrize(
    ("text", "category", "rule"),
    [
        # minor_risk: ages under 18 in the room, school grades, grooming, underage role-play
        ("im 14 is that ok", "minor_risk", "age_statement"),
        ("i'm only fifteen lol dont tell anyone", "minor_risk", "age_statement"),
        ("i m 1 4", "minor_risk", "age_statement"),
        ("you're 13? add me", "minor_risk", "you_minor"),
        ("16 yo here, first time", "minor_risk", "age_yo"),
        ("just turned 15 last week, can i tip?", "minor_risk", "age_turned"),
        ("i'm in 8th grade", "minor_risk", "grade_self"),
        ("i'm still in middle school", "minor_risk", "school_self"),
        ("what grade are you in?", "minor_risk", "ask_grade"),
        ("don't tell your mom we talk", "minor_risk", "secrecy"),
        ("i can pick you up after school", "minor_risk", "meet_minor"),
        ("can you pretend to be 12 for me", "minor_risk", "roleplay_minor"),
        ("my parents think im asleep", "minor_risk", "parents_dont_know"),
        ("bring your little sister on cam", "minor_risk", "minor_in_room"),
        # doxxing
        ("i know where you live", "doxxing", "know_where"),
        ("her real name is Mira Vantreck", "doxxing", "real_name"),
        ("she lives at 12 Maple Street", "doxxing", "location_known"),
        ("I'll tell your boss what you do", "doxxing", "outing"),
        ("her car plate is AB12 CDE", "doxxing", "third_party_detail"),
        ("i tracked your ip to Oakhaven", "doxxing", "found_info"),
        ("her number is 555 201 0145, call her", "doxxing", "third_party_detail"),
        ("12 Maple Street, everyone go there", "doxxing", "street_address"),
        # scam
        ("this is stagedoor support, verify your account at stagedoor-verify.xyz", "scam", "fake_staff"),
        ("free tokens!!! claim at free-tokens.top", "scam", "phishing_link"),
        ("send me your password and i'll fix your payout", "scam", "credentials"),
        ("send 100 tokens to me to unlock the secret show", "scam", "send_to_unlock"),
        ("double your btc, send 0.1 get 0.2 back", "scam", "double_money"),
        ("invest with me, 30% returns every week", "scam", "returns"),
        ("i can recover your hacked account for a small fee", "scam", "recovery"),
        # harassment
        ("kill yourself", "harassment", "self_harm"),
        ("k y s", "harassment", "self_harm"),
        ("k.i.l.l y.o.u.r.s.e.l.f", "harassment", "self_harm"),
        ("i will find you and hurt you", "harassment", "threat"),
        ("you're a stupid pig", "harassment", "insult"),
        ("nobody likes you", "harassment", "contempt"),
        # off_platform
        ("add me on snap kitty_99", "off_platform", "platform_intent"),
        ("add me on s n a p", "off_platform", "platform_intent"),
        ("add me on tele\ngram", "off_platform", "platform_split"),
        ("my telegram is @honeybee", "off_platform", "platform_id"),
        ("text me 555 201 0145", "off_platform", "phone"),
        ("five five five oh one two three four five six", "off_platform", "phone"),
        ("email me at lily.moon@gmail.com", "off_platform", "email"),
        ("lily at gmail dot com", "off_platform", "email"),
        ("my cashapp is $janedoe", "off_platform", "pay_app"),
        ("buy me an amazon gift card and i'll do a private show", "off_platform", "gift_card"),
        ("i accept s.t.e.a.m.c.a.r.ds, dm me the code", "off_platform", "gift_card_split"),
        ("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "off_platform", "crypto_address"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "off_platform", "crypto_address"),
        ("send btc to my wallet", "off_platform", "crypto_pay"),
        ("skip the site fees, pay me directly", "off_platform", "pay_app"),
    ],
)
def test_rule_hits(text: str, category: str, rule: str) -> None:
    assert _hit(text) == (category, rule)


@pytest.mark.parametrize(
    "text",
    [
        "I was 15 when this song came out",
        "this takes me back to when i was 14",
        "my son just turned 11, feeling old",
        "i'm 15 minutes late sorry",
        "i'm 16 tokens short of the goal",
        "i'm 34 and still can't dance",
        "happy 15th anniversary to us!",
        "we've been married 12 years today",
        "the Harbor Hawks won 3-1 last night",
        "final score 102-98, what a game",
        "scores 3-1, 2-0 and 4-2 this week",
        "born 1990, married 2015, kids 2018 2020",
        "call me at 10pm, kidding, see you at the show",
        "i teach 8th grade math",
        "my daughter started 8th grade today",
        "i'm a high school teacher",
        "oh snap, that was a great move",
        "snap a photo of your cat next time",
        "my grandpa used to deliver telegrams",
        "the signal is bad in my room",
        "signal me when the song starts",
        "you killed it tonight!",
        "i'm dying of laughter",
        "you're a legend",
        "you're so talented",
        "call your mom, it's mother's day",
        "never share your password, mods never ask for it",
        "got an amazon gift card for my birthday, buying a new mic",
        "hello from Brazil!",
        "@kitty99 thanks for the tip",
        "message me here anytime",
        "it costs $20 on paypal",
        "my plate is full lol",
    ],
)
def test_near_misses_hit_no_rule(text: str) -> None:
    assert _hit(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I was 15 when this song came out",
        "happy 15th anniversary to us!",
        "the Harbor Hawks won 3-1 last night",
        "i teach 8th grade math",
        "oh snap, that was a great move",
        "my grandpa used to deliver telegrams",
        "you look amazing tonight",
        "hola from Mexico!",
        "@kitty99 thanks for the tip",
        "just bought tokens, let's go",
    ],
)
def test_near_misses_pass_the_whole_classifier(text: str) -> None:
    result = shared_moderator(DEFAULT_MODEL_PATH).classify(text)
    assert result.category == "benign", result


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("call 555-201-0145", "555-201-0145"),
        ("(212) 555-0101 after 6", "(212) 555-0101"),
        ("+44 7700 900123", "+44 7700 900123"),
        ("06 12 34 56 78", "06 12 34 56 78"),
        ("2125550101", "2125550101"),
    ],
)
def test_phone_numbers_are_found(text: str, phone: str) -> None:
    assert find_phone(normalize(text).contact) == phone


@pytest.mark.parametrize(
    "text",
    ["12/05/2024", "2024-05-12", "3-1 2-0 4-2 1-1", "1990 1991 1992", "1000000 tokens", "10:30 11:45", "1,000,000"],
)
def test_dates_scores_years_amounts_are_not_phones(text: str) -> None:
    assert find_phone(normalize(text).contact) is None


def test_minor_risk_wins_over_other_categories() -> None:
    # a line that is both grooming and off-platform contact is held as minor_risk
    assert _hit("you're 14? add me on snap, don't tell your mom") == ("minor_risk", "you_minor")
    assert SEVERITY_ORDER[0] == "minor_risk"
    order = [SEVERITY_ORDER.index(r.category) for r in RULES]
    assert order == sorted(order)  # the rule table is walked most severe first
