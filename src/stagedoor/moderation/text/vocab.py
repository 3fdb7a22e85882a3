"""What the rule patterns are made of: shared regex fragments (ages, platforms, payment apps,
insults...) and the :class:`Pattern` record. The tables are ``patterns_people`` (minor_risk,
doxxing, harassment) and ``patterns_contact`` (scam, off_platform); ``rules`` indexes them.

Anchors: a rule runs only if one of its anchor tokens is among the line's words (and one of
each further ``|`` group); ``#d`` stands for "a digit", ``#%`` for a percent sign, ``#$``,
``#@`` and ``#.`` for those characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["INSULT_ADJ_TOKENS", "PLATFORM_TOKENS", "Pattern"]

_I_AM: Final = r"(?:i\s*a?m|i'm|i\s+am|iam)"
_MINOR_N: Final = r"(?:1[\s.\-]?[0-7]|[5-9])"
_NOT_AGE_AFTER: Final = (
    r"(?!\s*(?:[.,:'\"]\s*\d|%|\+|/|minutes?|mins?|m\b|hours?|hrs?|h\b|seconds?|secs?|days?|weeks?|months?|tokens?|"
    r"tks?|k\b|th\b|st\b|nd\b|rd\b|feet|foot|ft|inch|cm|kg|lbs?|pounds?|stone|miles?|km|am\b|pm\b|o'?clock|"
    r"dollars?|bucks|euros?|quid|percent|times?|levels?|games?|wins?|points?|pts|people|of\b|x\b|away|behind|"
    r"ahead|short|over\b|deep|drinks?|beers?|shots?|episodes?|eps?|chapters?|pages?|laps?|reps?|sets?|days?|"
    r"to\s+\d|for\s+\d|-\s*\d|in\s+a\s+row|down|up\b))"
)
_PLATFORMS: Final = (
    r"(?:snap\s?chat|snap|sc|telegram|telegr|tg|whats\s?app|whatsap|kik|discord|signal|skype|wickr|we\s?chat|"
    r"viber|line\s?id|insta\s?gram|insta|ig|twitter|tiktok|only\s?fans|fansly|reddit|facebook|fb|messenger|threads)"
)
_PLATFORMS_STRICT: Final = (  # names nobody uses in another sense
    r"(?:snapchat|telegram|whatsapp|whatsap|kik|discord|skype|wickr|wechat|viber|instagram|insta|onlyfans|fansly|"
    r"tiktok|messenger)"
)
_PAY_APPS: Final = (
    r"(?:cash\s?app|venmo|pay\s?pal|zelle|revolut|skrill|apple\s?pay|google\s?pay|western\s?union|money\s?gram|"
    r"chime|wise|paysafe(?:card)?|cash\s?tag)"
)
_GIFT_CARDS: Final = (
    r"(?:amazon|steam|itunes|apple|google\s?play|visa|sephora|ebay|xbox|playstation|psn|vanilla|target|walmart)"
    r"\s*(?:gift\s*)?cards?"
)
_CRYPTO: Final = r"(?:btc|bitcoin|eth|ethereum|usdt|tether|crypto|ltc|litecoin|monero|xmr|sol|solana|doge|dogecoin)"
_INTENT: Final = (
    r"(?:add|hmu|hit\s+(?:me|us)\s+up|dm|pm|message|msg|text|find|follow|reach|contact|talk\s+to|chat\s+with|"
    r"call|write|ping|join|sub(?:scribe)?\s+to|come\s+to|go\s+to|move\s+(?:this|it)\s+to|switch\s+to|talk\s+on|"
    r"chat\s+on|video\s+call\s+on|continue\s+on)"
)
_INSULT_NOUN: Final = (
    r"(?:idiot|moron|loser|pig|cow|freak|creep|trash|garbage|scum|parasite|rat|clown|failure|waste\s+of\s+(?:space|air)|"
    r"piece\s+of\s+(?:trash|garbage|crap|junk)|joke|dumbass|imbecile|cretin|leech|maggot|slob|hag|troll)"
)
_INSULT_ADJ: Final = (
    r"(?:stupid|ugly|worthless|pathetic|disgusting|fat|dumb|useless|brainless|filthy|miserable|talentless|gross|"
    r"hideous|vile|repulsive|braindead|brain\s+dead|sad|lazy|fake|old)"
)
#: the adjectives of ``_INSULT_ADJ`` as anchor tokens
INSULT_ADJ_TOKENS: Final = (
    "stupid ugly worthless pathetic disgusting fat dumb useless brainless filthy miserable talentless gross hideous "
    "vile repulsive braindead brain sad lazy fake old"
)
_YOU: Final = r"(?:you|u|ya|yu)"
_YOUR: Final = r"(?:your|ur|yer|you'?re)"
_THIRD: Final = r"(?:her|his|your|ur|their|the\s+performer'?s?|the\s+model'?s?)"

PLATFORM_TOKENS: Final = (
    "snapchat snap chat sc telegram telegr tg whatsapp whats whatsap kik discord signal skype wickr wechat viber "
    "line lineid instagram insta ig twitter tiktok onlyfans fans fansly reddit facebook fb messenger threads"
)


@dataclass(frozen=True)
class Pattern:
    """One rule: its category and name, the tokens one of which must be in the line (groups
    after ``|`` must each have one too), the forms it reads ("k" canonical, "c" contact, both
    in that order) and its alternatives (any may match)."""

    category: str
    name: str
    anchors: str
    forms: str
    alternatives: tuple[str, ...]
