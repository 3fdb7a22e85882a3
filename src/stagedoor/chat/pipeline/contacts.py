"""Off-platform contact details: links, e-mail addresses, phone numbers.

A performer may forbid each kind in their room (the classic solicitation: "add me on
snap", "hit me up at gmail", "five five five ..."). Detection runs on the skeleton (see
``normalize.skeleton``) and on a de-spaced copy, and understands the usual
obfuscations: "dot com", "(dot)", "[.]", " at gmail", spelled-out digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stagedoor.chat import codes as C
from stagedoor.chat.pipeline.normalize import skeleton

_TLDS: Final = (
    "com|net|org|info|biz|io|co|me|tv|gg|ly|xyz|xxx|sex|porn|cam|live|club|site|online|"
    "app|dev|link|chat|fans|fan|vip|top|pro|store|shop|blog|page|icu|cc|to|ws|"
    "uk|de|fr|es|it|nl|ru|br|pl|ca|au|in|jp|cn|eu|us|ro|cz|ua|ch|at|be|se|no|dk|fi|mx|ar|tk|ml|ga|cf|gq"
)
_DOT_WORD: Final = r"(?:\(\s*(?:dot|\.)\s*\)|\[\s*(?:dot|\.)\s*\]|\{\s*(?:dot|\.)\s*\}|<\s*dot\s*>|\bdot\b)"
#: a dot, plain or spelled out, with or without spaces around it
_DOT: Final = r"(?:\s*(?:\.|" + _DOT_WORD + r"|,)\s*)"
_STRONG_TLDS: Final = "com|net|org|xxx|info|biz|io|ly|gg"
_LINK_RES: Final = (
    re.compile(r"\b(?:https?|ftp)\s*:\s*/\s*/"),
    re.compile(r"\bwww\s*(?:\.|dot)"),
    # site.com: a real dot, no spaces, any common TLD
    re.compile(r"\b[a-z0-9][a-z0-9-]*\.(?:" + _TLDS + r")\b"),
    # site dot com, site (dot) com, site . com: only the TLDs nobody types by accident
    re.compile(r"\b[a-z0-9][a-z0-9-]*" + _DOT + r"(?:" + _STRONG_TLDS + r")\b"),
    re.compile(r"\b(?:t|wa)\.me\s*/"),
)
# Platforms whose names alone are an invitation to leave.
_OFF_PLATFORM: Final = re.compile(
    r"onlyfans|fansly|snapchat|\bsnap\s*:|telegram|whatsapp|\bkik\b|linktree|linktr|manyvids|chaturbate|stripchat|cashapp|venmo|paypalme"
)
_DESPACED_LINK: Final = re.compile(r"(?:dot|\.)(?:com|net|org|xxx)(?:$|/)|https?//|www(?:dot|\.)")

_MAIL_PROVIDERS: Final = (
    "gmail|googlemail|hotmail|yahoo|outlook|icloud|protonmail|proton|aol|gmx|yandex|mailru|zoho|tutanota|msn|live"
)
_EMAIL_RES: Final = (
    re.compile(r"[a-z0-9._%+-]+\s*@\s*[a-z0-9-]+(?:" + _DOT + r"[a-z]{2,})+"),
    re.compile(
        r"[a-z0-9._%+-]+\s*(?:\(\s*at\s*\)|\[\s*at\s*\]|\{\s*at\s*\}|<\s*at\s*>|\s+at\s+)\s*[a-z0-9-]+"
        + _DOT
        + r"(?:"
        + _TLDS
        + r")\b"
    ),
    re.compile(r"(?:@|\bat\b|\(\s*at\s*\)|\[\s*at\s*\])\s*(?:" + _MAIL_PROVIDERS + r")\b"),
)
_DESPACED_MAIL: Final = re.compile(
    r"(?:gmail|googlemail|hotmail|protonmail|icloud|outlook|yahoo)(?:dot|\.)?(?:com|me|net)?"
)

_NUMBER_WORDS: Final = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "for": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_NUMBER_WORD_RE: Final = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")
_PHONE_RE: Final = re.compile(r"(?:\+|\b)\d(?:[\s\-./()]{0,3}\d){6,16}\b")
_MIN_PHONE_DIGITS: Final = 7


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    links: bool = True
    emails: bool = True
    phones: bool = True


def _despace(s: str) -> str:
    return re.sub(r"[\s_\-*~'\"`]+", "", s)


_LEET_FOLD: Final = str.maketrans({"0": "o", "3": "e", "4": "a", "1": "i", "5": "s", "7": "t", "$": "s"})


def has_link(text: str) -> bool:
    s = skeleton(text)
    if any(r.search(s) for r in _LINK_RES) or _OFF_PLATFORM.search(s):
        return True
    folded = s.translate(_LEET_FOLD)
    if folded != s and (any(r.search(folded) for r in _LINK_RES[2:4]) or _OFF_PLATFORM.search(folded)):
        return True
    d = _despace(s)
    return bool(_DESPACED_LINK.search(d) or _OFF_PLATFORM.search(d))


def has_email(text: str) -> bool:
    s = skeleton(text)
    if any(r.search(s) for r in _EMAIL_RES):
        return True
    return bool(_DESPACED_MAIL.search(_despace(s)))


def has_phone(text: str) -> bool:
    s = skeleton(text)
    s = _NUMBER_WORD_RE.sub(lambda m: _NUMBER_WORDS[m.group(1)], s)
    # "o" between digits is a zero ("5o5"), common obfuscation
    s = re.sub(r"(?<=\d)[o](?=\d)", "0", s)
    for m in _PHONE_RE.finditer(s):
        digits = sum(ch.isdigit() for ch in m.group(0))
        if digits >= _MIN_PHONE_DIGITS:
            return True
    return False


def check_contacts(text: str, policy: ContactPolicy) -> str | None:
    """Return the error code for the first forbidden kind found, or ``None``."""
    if not policy.emails and has_email(text):
        return C.ERR_EMAIL_NOT_ALLOWED
    if not policy.links and has_link(text):
        return C.ERR_LINK_NOT_ALLOWED
    if not policy.phones and has_phone(text):
        return C.ERR_PHONE_NOT_ALLOWED
    return None
