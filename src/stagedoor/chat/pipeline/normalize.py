"""Unicode normalization: what we show, and the skeleton we match filters against.

Two outputs, two jobs:

* :func:`display_text` is what the room sees: NFC, no control or invisible characters
  (zero-width spaces/joiners, bidi overrides, tag characters, Hangul fillers...),
  at most two combining marks per letter (no "Zalgo" towers), whitespace collapsed.
* :func:`skeleton` is what filters match against: compatibility-folded (NFKC turns
  fullwidth, mathematical, circled and superscript letters into plain ones), accents
  dropped, case-folded, and look-alike letters from other scripts (Cyrillic "а",
  Greek "ο", small capitals...) mapped to the Latin letter they imitate.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Invisible or layout-only characters that carry no visible meaning in a chat line.
_INVISIBLE: Final = frozenset(
    [
        0x00AD,  # soft hyphen
        0x034F,  # combining grapheme joiner
        0x061C,  # arabic letter mark
        0x115F,
        0x1160,  # hangul fillers
        0x17B4,
        0x17B5,  # khmer inherent vowels (invisible)
        0x180E,  # mongolian vowel separator
        0x200B,
        0x200C,
        0x200D,
        0x200E,
        0x200F,  # zero width space/non-joiner/joiner, LRM, RLM
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,  # bidi embeddings/overrides
        0x2060,
        0x2061,
        0x2062,
        0x2063,
        0x2064,  # word joiner, invisible operators
        0x2066,
        0x2067,
        0x2068,
        0x2069,  # bidi isolates
        0x206A,
        0x206B,
        0x206C,
        0x206D,
        0x206E,
        0x206F,
        0x2800,  # braille blank
        0x3164,  # hangul filler
        0xFEFF,  # BOM / zero width no-break space
        0xFFA0,  # halfwidth hangul filler
        0xFFF9,
        0xFFFA,
        0xFFFB,
    ]
)
_ZWJ: Final = "\u200d"
_MAX_MARKS: Final = 2
_WS_RE: Final = re.compile(r"\s+")


def _is_emojiish(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk") or 0x1F000 <= ord(ch) <= 0x1FAFF


def display_text(text: str) -> str:
    """Clean a chat line for display. Idempotent."""
    # Count combining marks on the decomposed form, so "é" is one letter plus one mark.
    text = unicodedata.normalize("NFD", text)
    out: list[str] = []
    marks = 0
    n = len(text)
    for i, ch in enumerate(text):
        cp = ord(ch)
        if cp in _INVISIBLE or 0xE0000 <= cp <= 0xE007F:  # tag characters
            # Keep a ZWJ only inside emoji sequences (family, flags...).
            if ch == _ZWJ and out and i + 1 < n and _is_emojiish(out[-1]) and _is_emojiish(text[i + 1]):
                out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat in ("Mn", "Me"):
            if 0xFE00 <= cp <= 0xFE0F:  # variation selectors: keep after emoji only
                if out and _is_emojiish(out[-1]):
                    out.append(ch)
                continue
            marks += 1
            if marks > _MAX_MARKS or not out:
                continue
            out.append(ch)
            continue
        marks = 0
        if cat == "Cc" or cat == "Cf" or cat == "Co" or cat == "Cs" or cat == "Cn":
            if ch in "\t\n\r\v\f":
                out.append(" ")
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", _WS_RE.sub(" ", "".join(out)).strip())


# Look-alikes NFKC leaves alone. Lower-case targets; applied after casefold.
_CONFUSABLES: Final[dict[str, str]] = {
    # Cyrillic
    "а": "a",
    "б": "b",
    "в": "b",
    "г": "r",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "x",
    "з": "3",
    "и": "u",
    "й": "u",
    "к": "k",
    "л": "n",
    "м": "m",
    "н": "h",
    "о": "o",
    "п": "n",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "ф": "o",
    "х": "x",
    "ц": "u",
    "ч": "4",
    "ш": "w",
    "щ": "w",
    "ъ": "b",
    "ы": "bi",
    "ь": "b",
    "э": "e",
    "ю": "io",
    "я": "r",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ѕ": "s",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ү": "y",
    "ҡ": "k",
    "ɡ": "g",
    "є": "e",
    "ѡ": "w",
    "ѵ": "v",
    # Greek
    "α": "a",
    "β": "b",
    "γ": "y",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "n",
    "θ": "o",
    "ι": "i",
    "κ": "k",
    "λ": "a",
    "μ": "u",
    "ν": "v",
    "ξ": "e",
    "ο": "o",
    "π": "n",
    "ρ": "p",
    "σ": "o",
    "ς": "c",
    "τ": "t",
    "υ": "u",
    "φ": "o",
    "χ": "x",
    "ψ": "w",
    "ω": "w",
    "ϲ": "c",
    "ϳ": "j",
    # Armenian
    "օ": "o",
    "ս": "u",
    "ց": "g",
    "հ": "h",
    "ո": "n",
    "ա": "w",
    "զ": "q",
    "ք": "p",
    # Latin extensions and small capitals
    "ı": "i",
    "ȷ": "j",
    "ɑ": "a",
    "ɩ": "i",
    "ʟ": "l",
    "ɴ": "n",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ꜰ": "f",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ᴍ": "m",
    "ᴏ": "o",
    "ᴘ": "p",
    "ǫ": "q",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
    "ø": "o",
    "đ": "d",
    "ħ": "h",
    "ł": "l",
    "ŀ": "l",
    "ƒ": "f",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "þ": "p",
}
# Regional indicator symbols (flag letters) A-Z.
for _i in range(26):
    _CONFUSABLES[chr(0x1F1E6 + _i)] = chr(ord("a") + _i)
_CONF_TABLE: Final = str.maketrans(_CONFUSABLES)


def skeleton(text: str) -> str:
    """The text filters match against. Not for display; loses case, accents and script."""
    # Look-alikes first: decomposing or case-folding some of them would lose their look (ς and ϲ would fold
    # to σ, read as "o"; ǫ would lose its ogonek-tail "q"; ŀ would become "l·"). Then again after folding.
    text = display_text(text).translate(_CONF_TABLE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().translate(_CONF_TABLE)
    return unicodedata.normalize("NFKC", text)


_MENTION_RE: Final = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{2,32})")


def mentions(text: str) -> list[str]:
    """Logins mentioned as ``@login``, lower-cased, first occurrence order, no repeats."""
    seen: dict[str, None] = {}
    for m in _MENTION_RE.finditer(text):
        seen.setdefault(m.group(1).lower(), None)
    return list(seen)
