"""Normalisation that undoes filter evasion, in the forms the rules and the model read.

Starts from the chat pipeline's :func:`~stagedoor.chat.pipeline.normalize.skeleton` (NFKC,
case-fold, accents dropped, Cyrillic/Greek/small-capital look-alikes folded, invisible
characters gone), then:

* ``contact``: emoji and symbols become separators; runs of single characters with the same
  separator between them are joined ("s n a p", "s.n.a.p", "s🔥n🔥a🔥p" -> "snap"); digits
  written as words become digits ("five five five" -> "555"); "at" / "dot" (also "(at)",
  "[dot]") become "@" / "." where they spell an address. Digits survive: phone numbers,
  ages and crypto addresses are matched here.
* ``canonical``: ``contact`` with leetspeak folded inside words that mix letters and leet
  characters (0->o, 1->i, 3->e, 4->a, 5->s, 7->t, @->a, $->s, !->i, |->l): what the model
  reads and what keyword rules match.
* ``joined``: ``canonical`` with every separator removed, so a word split by spaces, dots or
  a line break ("tele gram", "snap\\nchat") is whole again.
* ``model``: ``canonical`` with each number replaced by its kind (``nteen`` for 10 to 17,
  ``nadult`` for 18 to 99, ``nyear``, ``nsmall``, ``nbig``): what the model reads, so that
  "i'm 34" and "i'm 61" teach it the same thing whatever numbers training happened to use.

Given a lexicon (the words the model knows), ``canonical`` is also *healed*: two neighbouring
pieces that are not both known words but make a known word together are joined ("sl ob",
"tw itter": a word split across a line, which the chat display turns into a space).

Pure Python, no Django. A line that is plain printable ASCII takes a fast path that gives
exactly the chat skeleton (tested against it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from stagedoor.chat.pipeline.normalize import skeleton

__all__ = ["Forms", "fast_skeleton", "heal", "model_text", "normalize"]

_ASCII_CONTROL: Final = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def fast_skeleton(text: str) -> str:
    """The chat ``skeleton(text)``, without its per-character work when the line is plain ASCII."""
    if text.isascii():
        if _ASCII_CONTROL.search(text) is None:
            return " ".join(text.split()).lower()
        return skeleton(text)
    return skeleton(text)


# Anything that is not a letter, a digit, whitespace or the punctuation addresses are made of
# (emoji, symbols, arrows, stars...) is a separator.
_SYMBOL_RE: Final = re.compile(r"[^\w\s@$.,:;/#+!?|'\"()\[\]{}<>&%=~*-]")
# Single characters with the *same* separator between them ("s.n.a.p", "5 5 5 1 2 3 4",
# "k-y-s"); the backreference keeps "3-1, 2-0" (scores) apart.
_SINGLES_RE: Final = re.compile(r"(?<![a-z0-9'])([a-z0-9])([^a-z0-9']{1,3})[a-z0-9](?:\2[a-z0-9])+(?![a-z0-9'])")
_UNSEP_RE: Final = re.compile(r"[^a-z0-9]+")
# Two or more single characters glued by symbols ("t✨g", "s💋c💋a💋m") or two single letters by
# a dot, dash or underscore ("t.g", "s_c"): joined before symbols become spaces.
_SYMBOL_SINGLES_RE: Final = re.compile(r"(?<![^\W_])[^\W_](?:[^\w\s\x00-\x7f]{1,3}[^\W_])+(?![^\W_])")
_SYMBOL_SEP_RE: Final = re.compile(r"[^\w\s\x00-\x7f]+")
_LETTER_PAIR_RE: Final = re.compile(r"(?<![a-z0-9.])([a-z])[._\-]{1,2}([a-z])(?![a-z0-9])")

_UNITS: Final = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
)
_TENS: Final = "twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBER_WORDS: Final[dict[str, str]] = {w: str(i) for i, w in enumerate(_UNITS.split())} | {
    w: str(20 + 10 * i) for i, w in enumerate(_TENS.split())
}
_NUMBER_WORD_RE: Final = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")
# "oh" / "o" read as zero between digits ("five five oh one")
_OH_RE: Final = re.compile(r"(?<=\d)(\s*)(?:oh|o)(?=\s*\d)")

_TLDS: Final = (
    "com|net|org|info|biz|io|co|me|tv|gg|ly|xyz|xxx|cam|live|club|site|online|app|dev|link|chat|"
    "fans|vip|top|pro|store|shop|page|icu|cc|to|uk|de|fr|es|it|nl|ru|br|pl|ca|au|eu|us"
)
_PROVIDERS: Final = "gmail|googlemail|hotmail|yahoo|outlook|icloud|protonmail|proton|aol|gmx|yandex|mailru|tutanota"
_BRACKET_AT_DOT_RE: Final = re.compile(r"\s*[(\[{<]\s*(at|dot|\.)\s*[)\]}>]\s*")
_DOT_WORD_RE: Final = re.compile(r"\s+dot\s+(?=(?:" + _TLDS + r")\b)")
_AT_WORD_RE: Final = re.compile(
    r"(?<=[a-z0-9_])\s+at\s+(?=(?:" + _PROVIDERS + r")\b|[a-z0-9-]+\s*\.\s*(?:" + _TLDS + r")\b)"
)
_SPACED_DOT_RE: Final = re.compile(r"(?<=[a-z0-9])\s*\.\s*(?=(?:" + _TLDS + r")\b)")
_SPACED_AT_RE: Final = re.compile(r"(?<=[a-z0-9_])\s*@\s*(?=(?:" + _PROVIDERS + r")\b)")

_LEET: Final = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
# a word that mixes letters with leet characters, in either order
_LEET_TOKEN_RE: Final = re.compile(
    r"[a-z0-9@$!|]*(?:[a-z][a-z0-9@$!|]*[013457@$!|]|[013457@$!|][a-z0-9@$!|]*[a-z])[a-z0-9@$!|]*"
)
_HAS_LETTER_RE: Final = re.compile(r"[a-z]")
_HAS_LEET_RE: Final = re.compile(r"[013457@$!|]")
# Tokens that mix letters and digits on purpose: ordinals, units, times, formats, ages.
_KEEP_TOKEN_RE: Final = re.compile(
    r"\d+(?:st|nd|rd|th|s|am|pm|k|m|h|hr|hrs|d|p|fps|yo|y|yr|yrs|x|min|mins|sec|secs|tk|tks|cm|kg|lb|lbs|ft|mm|gb|mb|mph|kmh|km)"
    r"|(?:x|mp|v|h|ps|pc|top|no|gen|lvl|level|season|s|ep|e|q|p|g|f|b|c|covid)\d+|0x[0-9a-f]+|[a-z0-9]{20,}"
)
_ARROWS: Final = str.maketrans({ch: " -> " for ch in "→⇒➡➜➔⟶👉"})


def _join_singles(m: re.Match[str]) -> str:
    joined = _UNSEP_RE.sub("", m.group(0))
    if len(joined) < 4 and not (joined.isalpha() or joined.isdigit()):
        return m.group(0)  # "a 1 3": an article before a number, not one word
    return joined


def _leet_token(m: re.Match[str]) -> str:
    tok = m.group(0)
    if _HAS_LEET_RE.search(tok) is None or _HAS_LETTER_RE.search(tok) is None:
        return tok
    if _KEEP_TOKEN_RE.fullmatch(tok):
        return tok
    at = tok.find("@")
    if at > 0 and "." in m.string[m.end() : m.end() + 1]:  # an e-mail address: keep its "@"
        return tok[:at].translate(_LEET) + "@" + tok[at + 1 :].translate(_LEET)
    head = "@" if tok[0] == "@" else ""  # a handle keeps its sigil (a cashtag stays in ``contact``)
    return head + tok[len(head) :].translate(_LEET)


def _contact_form(skel: str) -> str:
    if not skel.isascii():
        s = _SYMBOL_SINGLES_RE.sub(lambda m: _SYMBOL_SEP_RE.sub("", m.group(0)), skel)
        s = s.translate(_ARROWS)
        s = _SYMBOL_RE.sub(" ", s)
    else:
        s = skel
    s = _SINGLES_RE.sub(_join_singles, s)
    if "." in s or "_" in s or "-" in s:
        s = _LETTER_PAIR_RE.sub(r"\1\2", s)
    if _NUMBER_WORD_RE.search(s) is not None:
        s = _NUMBER_WORD_RE.sub(lambda m: _NUMBER_WORDS[m.group(1)], s)
        s = _OH_RE.sub(r"\g<1>0", s)
        s = _SINGLES_RE.sub(_join_singles, s)
    if "(" in s or "[" in s or "{" in s or "<" in s:
        s = _BRACKET_AT_DOT_RE.sub(lambda m: "@" if m.group(1) == "at" else ".", s)
    if "dot" in s:
        s = _DOT_WORD_RE.sub(".", s)
    if " ." in s or ". " in s:
        s = _SPACED_DOT_RE.sub(".", s)
    if " at " in s:
        s = _AT_WORD_RE.sub("@", s)
    if " @" in s or "@ " in s:
        s = _SPACED_AT_RE.sub("@", s)
    return " ".join(s.split())


_NUMBER_RE: Final = re.compile(r"(?<![\w.,$#@])\d+(?![\w%]|[.,]\d)")


def _number_kind(m: re.Match[str]) -> str:
    digits = m.group(0)
    n = int(digits) if len(digits) < 6 else 10**6
    if n < 10:
        return "nsmall"
    if n < 18:
        return "nteen"
    if n < 100:
        return "nadult"
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return "nyear"
    return "nbig"


def model_text(canonical: str) -> str:
    """The canonical form with numbers replaced by their kind (see the module docstring)."""
    return _NUMBER_RE.sub(_number_kind, canonical) if _DIGIT_RE.search(canonical) else canonical


_DIGIT_RE: Final = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Forms:
    skeleton: str
    contact: str
    canonical: str
    joined: str
    model: str


_TRAILING: Final = ".,!?:;'\")"


def heal(canonical: str, lexicon: frozenset[str]) -> str:
    """Join neighbouring pieces of a split word (see the module docstring)."""
    words = canonical.split(" ")
    if len(words) < 2:
        return canonical
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        if i + 1 < n and w.isalpha():
            nxt = words[i + 1]
            core = nxt.rstrip(_TRAILING)
            if core and (w not in lexicon or core not in lexicon) and (w + core) in lexicon:
                out.append(w + nxt)
                i += 2
                continue
        out.append(w)
        i += 1
    return " ".join(out)


def normalize(text: str, *, skel: str | None = None, lexicon: frozenset[str] | None = None) -> Forms:
    """Every form of one chat line. ``skel``: the chat skeleton when the caller has it;
    ``lexicon``: known words, to heal split words in ``canonical``."""
    if skel is None:
        skel = fast_skeleton(text)
    s = skel
    contact = _contact_form(s)
    canonical = _LEET_TOKEN_RE.sub(_leet_token, contact) if _HAS_LEET_RE.search(contact) else contact
    joined = _UNSEP_RE.sub("", canonical)
    if lexicon:
        canonical = heal(canonical, lexicon)
    return Forms(skeleton=s, contact=contact, canonical=canonical, joined=joined, model=model_text(canonical))
