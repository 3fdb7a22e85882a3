"""Precise patterns per category, run on the normalised forms (see ``normalize``).

A rule is a high-confidence hit: it names a category, the rule that fired and a score. The
table (``patterns``) gives each rule the words that must be present for it to have a
chance; a line's words are looked up once in that index, so a line runs only the few
patterns it could match (ordinary chat runs none). Categories are tried most severe first:
``minor_risk``, ``doxxing``, ``scam``, ``harassment``, ``off_platform``; the first hit wins.

What is *not* here on purpose: ordinary mentions ("@kim thanks for the tip"), past ages ("I
was 15 when..."), "snap" or "telegram" in their plain meaning, sports scores and dates (the
phone matcher rejects them), school talk in the third person. Slurs are the operator's word
list (``STAGEDOOR_CHAT_PLATFORM_WORDS``), which the chat pipeline refuses before this runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from stagedoor.moderation.text.normalize import Forms
from stagedoor.moderation.text.patterns_contact import OFF_PLATFORM, SCAM
from stagedoor.moderation.text.patterns_people import DOXXING, HARASSMENT, MINOR_RISK
from stagedoor.moderation.text.vocab import _MINOR_N, _NOT_AGE_AFTER, _PAY_APPS, _PLATFORMS_STRICT

__all__ = ["RULES", "SEVERITY_ORDER", "Rule", "RuleHit", "find_phone", "match_rules"]

#: categories are tried in this order; the first hit wins
SEVERITY_ORDER: Final = ("minor_risk", "doxxing", "scam", "harassment", "off_platform")
SCORES: Final[dict[str, float]] = {
    "minor_risk": 0.99,
    "doxxing": 0.98,
    "scam": 0.97,
    "harassment": 0.97,
    "off_platform": 0.96,
}


@dataclass(frozen=True, slots=True)
class RuleHit:
    category: str
    rule: str
    score: float


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    name: str
    index: frozenset[str]  # one of these tokens must be in the line (the rule is indexed by them)
    also: tuple[frozenset[str], ...]  # and one of each of these
    check: Callable[[Forms], bool]
    score: float


_TURNED_RE: Final = re.compile(rf"(?:\b([\w']+)\s+)?(?:just\s+)?(?:turned|turning)\s+{_MINOR_N}\b{_NOT_AGE_AFTER}")
#: "my son just turned 11" is not the speaker's age
_NOT_SELF_WORDS: Final = (
    "son daughter kid kids he she it it's he's she's brother sister nephew niece cousin child baby dog "
    "cat puppy kitten car boy girl friend grandson granddaughter twins they who is was has have are were "
    "that this song album house shop company channel room stream show game band"
)
_NOT_SELF: Final = frozenset(_NOT_SELF_WORDS.split())


def _turned_self(text: str) -> bool:
    return any(m.group(1) not in _NOT_SELF for m in _TURNED_RE.finditer(text))


_STREET_RE: Final = re.compile(
    r"\b\d{1,5}\s+(?:[a-z]+\s+){1,2}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|"
    r"terrace|place|pl|crescent)\b"
)
_SELF_PLACE_RE: Final = re.compile(
    r"\b(?:i\s+live|my\s+(?:address|place|house|home|apartment|flat)|come\s+(?:to|over)|meet\s+me|near\s+me|i'?m\s+at)\b"
)
_PHONE_ABOUT_OTHER_RE: Final = re.compile(
    r"\b(?:her|his|their)\s+(?:real\s+|cell\s+|home\s+|phone\s+)?(?:number|phone|cell)\b|\bcall\s+(?:her|him)\b|"
    r"\b(?:her|his)\s+(?:mom|dad|boss|husband|wife)\b"
)

_URL_RE: Final = re.compile(
    r"\b(?:https?://|www\.)?((?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|io|co|me|tv|gg|ly|xyz|top|live|site|online|"
    r"click|app|link|club|vip|store|shop|cc|ru|tk|ml|ga|cf|gq|icu|buzz|win|pw))\b(/\S*)?"
)
_BAIT_RE: Final = re.compile(
    r"verif|login|signin|sign-in|secure|claim|free|bonus|gift|unlock|reward|support|recover|token|wallet|prize|promo|"
    r"win|stage-?door|stagedor|sdoor|account|payout|billing"
)

_JOINED_OFF_RE: Final = re.compile(
    r"(?:(?:add|hmu|hitmeup|hitmeon|dm|message|text|find|follow|reach|contact|talk|chat|pm|msg|write)(?:me|us)?"
    r"(?:on|at|via|in|to)|(?:move|switch|take)(?:this|it)?to|(?:tip|pay|send)(?:me|it)?(?:on|via|with|through|to))(?:my)?"
    r"(?:snapchat|snap|telegram|whatsapp|kik|discord|instagram|insta|signal|skype|wickr|wechat|viber|onlyfans|fansly|"
    r"cashapp|venmo|paypal|zelle|revolut|skrill|applepay|westernunion|chime)"
    r"|my(?:snapchat|snap|telegram|whatsapp|kik|discord|instagram|insta|signal|skype|wickr|cashapp|venmo|paypal|"
    r"zelle|onlyfans)(?:is|id|name|handle|username)"
)
_JOINED_GIFT_RE: Final = re.compile(
    r"(?:amazon|steam|itunes|googleplay|visa|apple|sephora|xbox|playstation|psn|vanilla)(?:gift)?cards?"
)
_GIFT_INTENT_RE: Final = re.compile(r"\b(?:accept|send|buy|code|codes|take|want|prefer|for\s+a)\b")
_CASHTAG_RE: Final = re.compile(r"(?<![\w$])\$[a-z][a-z0-9_]{2,}\b")
_PAY_APP_RE: Final = re.compile(rf"\b{_PAY_APPS}\b|cashapp|venmo|paypal|zelle")
_JOINED_STRICT_RE: Final = re.compile(_PLATFORMS_STRICT)
_JOINED_INTENT_RE: Final = re.compile(r"\b(?:add|hmu|dm|message|msg|text|find|follow|reach|contact|my|me\s+on)\b")
_EMAIL_RE: Final = re.compile(
    r"\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|me|io|co|de|fr|uk|ru|info)\b"
)
_CRYPTO_ADDR_RE: Final = re.compile(
    r"\b(?:bc1[a-z0-9]{25,87}|0x[0-9a-f]{40}|[13][a-z0-9]{25,34}|t[a-z0-9]{33}|[48][a-z0-9]{94}|[lm][a-z0-9]{26,33})\b"
)
_DIGIT_RE: Final = re.compile(r"\d")
_LETTER_RE: Final = re.compile(r"[a-z]")

# --------------------------------------------------------------------------- phones
_PHONE_CANDIDATE_RE: Final = re.compile(r"(?<![\w.,/:$#@])\+?\(?\d[\d\s.\-()]{5,22}\d(?![\w%/]|\.\d)")
_GROUPS_RE: Final = re.compile(r"\d+")
_NOT_PHONE_AFTER_RE: Final = re.compile(
    r"\s*(?:tokens?|tks?|tk|views|viewers|followers|subs|likes|points|pts|coins|usd|dollars|euros|\$|€|years|k\b|m\b)"
)


def find_phone(contact: str) -> str | None:
    """The first phone number in a contact form, or None. Scores, dates, times, years and
    amounts are not phone numbers."""
    for m in _PHONE_CANDIDATE_RE.finditer(contact):
        cand = m.group(0)
        groups = _GROUPS_RE.findall(cand)
        digits = sum(len(g) for g in groups)
        if not 7 <= digits <= 15:
            continue
        if _NOT_PHONE_AFTER_RE.match(contact, m.end()):
            continue
        lengths = [len(g) for g in groups]
        if len(groups) > 1:
            if all(n == 4 and g[:2] in ("19", "20") for n, g in zip(lengths, groups, strict=True)):
                continue  # a list of years
            if len(groups) == 3 and lengths[0] <= 2 and lengths[1] <= 2 and lengths[2] in (2, 4):
                continue  # a date
            if len(groups) == 3 and lengths[0] == 4 and lengths[1] <= 2 and lengths[2] <= 2:
                continue  # an ISO date
            short = sum(1 for n in lengths[1:] if n < 2)
            if short:
                continue  # scores and counts ("3 1 2 0"): phone groups are 2+ digits
            if all(n == 2 for n in lengths) and not (len(groups) == 5 and groups[0].startswith("0")):
                continue  # pairs of digits are scores, except the French 0X XX XX XX XX
        return cand.strip()
    return None


def _phishing(contact: str) -> bool:
    for m in _URL_RE.finditer(contact):
        domain, path = m.group(1), m.group(2) or ""
        if _BAIT_RE.search(domain) or (path and _BAIT_RE.search(path)):
            return True
    return False


def _crypto_address(skel: str) -> bool:
    for m in _CRYPTO_ADDR_RE.finditer(skel):
        tok = m.group(0)
        if tok.startswith(("0x", "bc1")) or (len(_DIGIT_RE.findall(tok)) >= 3 and len(_LETTER_RE.findall(tok)) >= 3):
            return True
    return False


def _pattern_check(pattern: re.Pattern[str], forms: str) -> Callable[[Forms], bool]:
    if forms == "k":
        return lambda f: pattern.search(f.canonical) is not None
    if forms == "c":
        return lambda f: pattern.search(f.contact) is not None

    def both(f: Forms) -> bool:
        if pattern.search(f.canonical) is not None:
            return True
        return f.contact != f.canonical and pattern.search(f.contact) is not None

    return both


def _anchors(spec: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]]:
    groups = [frozenset(g.split()) for g in spec.split("|")]
    return groups[0], tuple(groups[1:])


def _rule(category: str, name: str, anchors: str, check: Callable[[Forms], bool], score: float = 0.0) -> Rule:
    index, also = _anchors(anchors)
    return Rule(category, name, index, also, check, score or SCORES[category])


def _street_other(f: Forms) -> bool:
    return _STREET_RE.search(f.contact) is not None and _SELF_PLACE_RE.search(f.contact) is None


def _phone_other(f: Forms) -> bool:
    return _PHONE_ABOUT_OTHER_RE.search(f.contact) is not None and find_phone(f.contact) is not None


def _cashtag(f: Forms) -> bool:
    return _CASHTAG_RE.search(f.contact) is not None and (
        _PAY_APP_RE.search(f.canonical) is not None or _PAY_APP_RE.search(f.joined) is not None
    )


def _split_platform(f: Forms) -> bool:
    j = f.joined
    if _JOINED_OFF_RE.search(j):
        return True
    return (
        _JOINED_STRICT_RE.search(j) is not None
        and _JOINED_STRICT_RE.search(f.canonical) is None
        and _JOINED_INTENT_RE.search(f.canonical) is not None
    )


def _build() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for p in (*MINOR_RISK, *DOXXING, *SCAM, *HARASSMENT, *OFF_PLATFORM):
        pattern = re.compile("|".join(p.alternatives))
        rules.append(_rule(p.category, p.name, p.anchors, _pattern_check(pattern, p.forms)))
    rules += [
        _rule("minor_risk", "age_turned", "turned turning | #d", lambda f: _turned_self(f.contact)),
        _rule("doxxing", "street_address", "#d", _street_other, 0.95),
        _rule("doxxing", "third_party_phone", "her his their call | #d", _phone_other, 0.95),
        _rule("scam", "phishing_link", "#.", lambda f: _phishing(f.contact)),
        _rule("harassment", "self_harm", "#all", lambda f: "killyourself" in f.joined or "killurself" in f.joined),
        _rule("off_platform", "cashtag", "#$", _cashtag),
        _rule("off_platform", "email", "#@", lambda f: _EMAIL_RE.search(f.contact) is not None, 0.97),
        _rule("off_platform", "phone", "#d", lambda f: find_phone(f.contact) is not None, 0.95),
        _rule("off_platform", "crypto_address", "#d", lambda f: _crypto_address(f.skeleton), 0.97),
        _rule("off_platform", "street_address", "#d", lambda f: _STREET_RE.search(f.contact) is not None, 0.9),
        _rule("off_platform", "platform_split", "#all", _split_platform, 0.93),
        _rule(
            "off_platform",
            "gift_card_split",
            "#all",
            lambda f: (
                "card" in f.joined
                and _JOINED_GIFT_RE.search(f.joined) is not None
                and _GIFT_INTENT_RE.search(f.canonical) is not None
            ),
            0.9,
        ),
    ]
    order = {c: i for i, c in enumerate(SEVERITY_ORDER)}
    return tuple(sorted(rules, key=lambda r: order[r.category]))  # stable: table order within a category


RULES: Final = _build()
_INDEX: Final[dict[str, tuple[int, ...]]] = {}
for _i, _r in enumerate(RULES):
    for _tok in _r.index:
        _INDEX[_tok] = (*_INDEX.get(_tok, ()), _i)
_INDEXED: Final = frozenset(_INDEX)
_TOKEN_RE: Final = re.compile(r"[a-z0-9']+")
_LETTERS_RE: Final = re.compile(r"[a-z']+")
_GLUED_RE: Final = re.compile(r"[a-z]\d|\d[a-z]")
_MARKS: Final = (("$", "#$"), ("@", "#@"), (".", "#."), ("%", "#%"))


def tokens(forms: Forms) -> set[str]:
    """The words of a line (both forms) and marks for digits, "$", "@", "." and "%"."""
    toks = set(_TOKEN_RE.findall(forms.canonical))
    if forms.contact != forms.canonical:
        toks.update(_TOKEN_RE.findall(forms.contact))
    if _GLUED_RE.search(forms.contact) is not None:  # "im14": its letters are words too
        toks.update(_LETTERS_RE.findall(forms.contact))
    c = forms.contact
    for char, mark in _MARKS:
        if char in c:
            toks.add(mark)
    if _DIGIT_RE.search(c) is not None:
        toks.add("#d")
    toks.add("#all")
    return toks


def match_rules(forms: Forms) -> RuleHit | None:
    """The most severe rule hit of a line, or None."""
    toks = tokens(forms)
    candidates: set[int] = set()
    for tok in toks & _INDEXED:
        candidates.update(_INDEX[tok])
    for i in sorted(candidates):
        rule = RULES[i]
        if rule.also and not all(not group.isdisjoint(toks) for group in rule.also):
            continue
        if rule.check(forms):
            return RuleHit(rule.category, rule.name, rule.score)
    return None
