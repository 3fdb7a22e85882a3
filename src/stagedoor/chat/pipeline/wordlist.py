"""Word lists (the platform's and each room's), robust to leetspeak, spacing and stretching.

An entry is a word (``badword``) or a prefix (``badword*``). Each letter of an entry
matches its leetspeak stand-ins and may repeat ("b4dw0rrrd"); the text is matched on
its skeleton (see ``normalize``), token by token — never as a substring, so "class" does
not trip on "ass" — plus tokens rebuilt from spaced-out letters ("b a d w o r d",
"b.a.d.w.o.r.d") and from pairs of neighbouring tokens ("badw ord").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from typing import Final

from stagedoor.chat.pipeline.normalize import skeleton

_LEET: Final[dict[str, str]] = {
    "a": "a4@",
    "b": "b8",
    "e": "e3€",
    "g": "g9",
    "i": "i1!|l",
    "l": "l1|i",
    "o": "o0",
    "s": "s5$z",
    "t": "t7+",
    "z": "z2",
}
_TOKEN_RE: Final = re.compile(r"[a-z0-9@$!|+€]+")
_EDGE: Final = "!|+"
_MIN_SPLIT_WORD: Final = 4  # words this long are also looked for across two tokens
_MAX_SPACED: Final = 24  # longest spaced-out word looked for


def _entry_pattern(entry: str) -> tuple[str, int] | None:
    prefix = entry.endswith("*")
    word = skeleton(entry.rstrip("*"))
    word = "".join(ch for ch in word if ch.isalnum())
    if not word:
        return None
    parts = []
    for ch in word:
        cls = _LEET.get(ch, ch)
        parts.append(("[" + re.escape(cls) + "]" if len(cls) > 1 else re.escape(cls)) + "+")
    return "".join(parts) + (r"[a-z0-9@$!|+€]*" if prefix else ""), len(word)


class WordList:
    def __init__(self, entries: Iterable[str] = ()) -> None:
        compiled = sorted({c for e in entries if e.strip() for c in [_entry_pattern(e.strip().lower())] if c})
        self.size = len(compiled)
        patterns = [p for p, _ in compiled]
        long_patterns = [p for p, n in compiled if n >= _MIN_SPLIT_WORD]
        self._re = re.compile("(?:" + "|".join(patterns) + ")") if patterns else None
        self._long_only = re.compile("(?:" + "|".join(long_patterns) + ")") if long_patterns else None

    def __bool__(self) -> bool:
        return self._re is not None

    def find(self, text: str) -> str | None:
        """The first listed word found in ``text`` (as written in the skeleton), or None."""
        if self._re is None:
            return None
        tokens: list[str] = _TOKEN_RE.findall(skeleton(text))
        full = self._re.fullmatch
        for tok in tokens:
            if full(tok) or full(tok.strip(_EDGE)):
                return tok
        # spaced-out letters: runs of one-character tokens glued back together
        run: list[str] = []
        for tok in [*tokens, ""]:
            if len(tok) == 1:
                run.append(tok)
                continue
            if len(run) >= 2:
                glued = "".join(run)
                # any contiguous sub-run may be the word ("lol b a d w o r d x")
                for i in range(len(run)):
                    for j in range(i + 2, min(len(run), i + _MAX_SPACED) + 1):
                        if full(glued[i:j]):
                            return glued[i:j]
            run = []
        # a word split once ("badw ord"); only long patterns, to spare ordinary pairs
        if self._long_only is not None:
            full2 = self._long_only.fullmatch
            for a, b in itertools.pairwise(tokens):
                if full2(a + b):
                    return a + b
        return None
