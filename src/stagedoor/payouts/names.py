"""Name matching for sanctions screening and "payout details in their own name" (pure functions, no Django).

A name is normalised before any comparison: transliterated to ASCII (`text-unidecode`), case-folded, punctuation
turned into spaces, and its words sorted — so "KRASNOV, Ivo" and "Ivo Krasnov", "Müller" and "Muller" compare equal.
Scores are rapidfuzz's 0–100: `token_sort_ratio` on the normalised forms, and `WRatio` (which forgives a missing
middle name) only where both names have two or more words of comparable length, so a short name ("Ivo") never
scores high against a long listed one merely by being contained in it.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from text_unidecode import unidecode

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def normalized_name(name: str) -> str:
    """ASCII, case-folded, punctuation-free, words sorted: the form every comparison uses."""
    plain = unidecode(name or "").casefold()
    return " ".join(sorted(w for w in _NOT_WORD.split(plain) if w))


def name_score(a: str, b: str, *, normalized: bool = False) -> int:
    """How alike two names are, 0–100 (rounded down)."""
    left, right = (a, b) if normalized else (normalized_name(a), normalized_name(b))
    if not left or not right:
        return 0
    score = fuzz.token_sort_ratio(left, right)
    shorter, longer = sorted((left, right), key=len)
    if " " in shorter and " " in longer and len(shorter) / len(longer) >= 0.6:
        score = max(score, fuzz.WRatio(left, right))
    return int(score)
