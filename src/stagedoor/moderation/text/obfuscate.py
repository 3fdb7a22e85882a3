"""The evasions people use to get a word past a filter, as functions for the generated data.

Each takes the word (a handle, an app name, a number) and a seeded ``random.Random`` and
returns it disguised: spaced, dotted, dashed, underscored, emoji-separated, zero-width
padded, Cyrillic/Greek look-alikes, fullwidth, mathematical bold, leetspeak, split across a
line, digits as words, "at"/"dot" for e-mail addresses.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

type Obfuscation = Callable[[str, random.Random], str]

_HOMOGLYPHS: Final[dict[str, tuple[str, ...]]] = {
    "a": ("а", "α"),  # Cyrillic a, Greek alpha
    "c": ("с", "ϲ"),
    "e": ("е", "ε"),
    "i": ("і", "ι"),
    "k": ("к", "κ"),
    "o": ("о", "ο"),
    "p": ("р", "ρ"),
    "s": ("ѕ",),
    "t": ("т", "τ"),
    "x": ("х", "χ"),
    "y": ("у",),
    "h": ("һ",),
    "n": ("η",),
    "m": ("м",),
}
_LEET: Final[dict[str, str]] = {"a": "4", "e": "3", "o": "0", "i": "1", "s": "5", "t": "7", "l": "1"}
_LEET_SYMBOL: Final[dict[str, str]] = {"a": "@", "s": "$", "i": "!"}
_EMOJI: Final = ("🔥", "💋", "⭐", "❤️", "👉", "✨", "💕", "🌸", "😘", "💦")
_ZERO_WIDTH: Final = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
_DIGIT_WORDS: Final = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _join(word: str, sep: str) -> str:
    return sep.join(ch for ch in word if ch != " ")


def spaced(word: str, rng: random.Random) -> str:
    return _join(word, " ")


def dotted(word: str, rng: random.Random) -> str:
    return _join(word, ".")


def dashed(word: str, rng: random.Random) -> str:
    return _join(word, "-")


def underscored(word: str, rng: random.Random) -> str:
    return _join(word, "_")


def emoji_separated(word: str, rng: random.Random) -> str:
    return _join(word, rng.choice(_EMOJI))


def zero_width(word: str, rng: random.Random) -> str:
    zw = rng.choice(_ZERO_WIDTH)
    return zw.join(word)


def homoglyphs(word: str, rng: random.Random) -> str:
    out = []
    for ch in word:
        alts = _HOMOGLYPHS.get(ch.lower())
        out.append(rng.choice(alts) if alts and rng.random() < 0.7 else ch)
    return "".join(out)


def fullwidth(word: str, rng: random.Random) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def math_bold(word: str, rng: random.Random) -> str:
    out = []
    for ch in word:
        if "a" <= ch <= "z":
            out.append(chr(0x1D41A + ord(ch) - ord("a")))
        elif "A" <= ch <= "Z":
            out.append(chr(0x1D400 + ord(ch) - ord("A")))
        elif "0" <= ch <= "9":
            out.append(chr(0x1D7CE + ord(ch) - ord("0")))
        else:
            out.append(ch)
    return "".join(out)


def leetspeak(word: str, rng: random.Random) -> str:
    out = []
    changed = False
    for ch in word:
        low = ch.lower()
        if low in _LEET_SYMBOL and rng.random() < 0.25:
            out.append(_LEET_SYMBOL[low])
            changed = True
        elif low in _LEET and low != "l" and rng.random() < 0.6:
            out.append(_LEET[low])
            changed = True
        else:
            out.append(ch)
    if not changed:
        for i, ch in enumerate(out):
            if ch.lower() in _LEET and ch.lower() != "l":
                out[i] = _LEET[ch.lower()]
                break
    return "".join(out)


def split_line(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word + "\n"
    k = rng.randrange(2, len(word) - 1)
    return word[:k] + rng.choice(("\n", " \n", "\n ")) + word[k:]


def digits_as_words(number: str, rng: random.Random) -> str:
    out = [_DIGIT_WORDS[int(ch)] if ch.isdigit() else "" for ch in number]
    words = [w for w in out if w]
    if rng.random() < 0.3:
        words = ["oh" if w == "zero" else w for w in words]
    return " ".join(words)


def digits_spaced(number: str, rng: random.Random) -> str:
    return rng.choice((" ", "-", ".")).join(ch for ch in number if ch.isdigit())


def email_words(address: str, rng: random.Random) -> str:
    local, _, domain = address.partition("@")
    host, _, tld = domain.rpartition(".")
    at, dot = rng.choice((("at", "dot"), ("(at)", "(dot)"), ("[at]", "[dot]"), ("{at}", "{dot}"), ("[at]", "[.]")))
    return f"{local} {at} {host} {dot} {tld}"


#: for a word (an app, a handle)
WORD_OBFUSCATIONS: Final[dict[str, Obfuscation]] = {
    "spaced": spaced,
    "dotted": dotted,
    "dashed": dashed,
    "underscored": underscored,
    "emoji": emoji_separated,
    "zero_width": zero_width,
    "homoglyph": homoglyphs,
    "fullwidth": fullwidth,
    "math_bold": math_bold,
    "leet": leetspeak,
    "split_line": split_line,
}
#: for a phone number
NUMBER_OBFUSCATIONS: Final[dict[str, Obfuscation]] = {
    "digit_words": digits_as_words,
    "digits_spaced": digits_spaced,
    "fullwidth": fullwidth,
    "math_bold": math_bold,
}
#: for an e-mail address
EMAIL_OBFUSCATIONS: Final[dict[str, Obfuscation]] = {
    "at_dot": email_words,
    "homoglyph": homoglyphs,
    "fullwidth": fullwidth,
}
#: for a whole line (fancy fonts are used for fun as much as for evasion)
LINE_OBFUSCATIONS: Final[dict[str, Obfuscation]] = {
    "homoglyph": homoglyphs,
    "fullwidth": fullwidth,
    "math_bold": math_bold,
    "zero_width_words": lambda line, rng: " ".join(zero_width(w, rng) if len(w) > 3 else w for w in line.split(" ")),
}
