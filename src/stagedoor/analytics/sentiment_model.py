"""The chat sentiment model, sans-Django: VADER (the `vadersentiment` package, whose lexicon ships inside it), or
a lexicon file the operator points to (`STAGEDOOR_ANALYTICS_SENTIMENT_LEXICON`). Nothing downloads at run time.

A batch of texts becomes a `Tally`: how many, how many positive / neutral / negative (VADER's usual cut-offs on
the compound score: ≥ 0.05 positive, ≤ -0.05 negative) and the SUM of the compound scores in integer millionths
(so tallies add exactly, and a mean is one division). A per-text score never leaves `SentimentModel.tally`.

Lexicon file format (VADER's): one entry a line, `token<TAB>mean valence[<TAB>…]`, valence in [-4, 4].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
SCALE = 1_000_000  # compound scores are summed as integer millionths
VALENCE_LIMIT = 4.0
MAX_TEXT = 2_000  # longer texts are scored on their first 2,000 characters (chat lines are far shorter)


class LexiconError(Exception):
    """The lexicon file cannot be used: says which file and which line."""


@dataclass(frozen=True)
class Tally:
    messages: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    compound_micro: int = 0  # sum of compound scores × SCALE

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.messages + other.messages,
            self.positive + other.positive,
            self.neutral + other.neutral,
            self.negative + other.negative,
            self.compound_micro + other.compound_micro,
        )

    @property
    def mean(self) -> float | None:
        """The mean compound score in [-1, 1], None without messages."""
        return round(self.compound_micro / SCALE / self.messages, 4) if self.messages else None


class SentimentModel:
    """Scores texts with a VADER analyzer; only tallies come out."""

    def __init__(self, analyzer: Any, *, source: str, entries: int) -> None:
        self._analyzer = analyzer
        self.source = source  # "vadersentiment <version> (packaged lexicon)" or the operator's file
        self.entries = entries

    def _compound(self, text: str) -> float:
        return float(self._analyzer.polarity_scores(text[:MAX_TEXT])["compound"])

    def tally(self, texts: Iterable[str]) -> Tally:
        messages = positive = negative = 0
        total = 0
        for text in texts:
            score = self._compound(text)
            messages += 1
            total += round(score * SCALE)
            if score >= POSITIVE_AT:
                positive += 1
            elif score <= NEGATIVE_AT:
                negative += 1
        return Tally(messages, positive, messages - positive - negative, negative, total)


def parse_lexicon(text: str, *, origin: str) -> dict[str, float]:
    """VADER's lexicon format → {token: valence}. Raises LexiconError naming the line of the first problem."""
    lexicon: dict[str, float] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\r\n")
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip():
            raise LexiconError(f"{origin}: line {number}: expected 'token<TAB>valence', got {line[:60]!r}")
        try:
            valence = float(fields[1])
        except ValueError:
            raise LexiconError(f"{origin}: line {number}: valence {fields[1][:20]!r} is not a number") from None
        if not -VALENCE_LIMIT <= valence <= VALENCE_LIMIT:
            raise LexiconError(f"{origin}: line {number}: valence {valence} is outside [-4, 4]")
        lexicon[fields[0].strip()] = valence
    if not lexicon:
        raise LexiconError(f"{origin}: no entries")
    return lexicon


def load_model(lexicon_path: str | Path | None = None) -> SentimentModel:
    """The packaged VADER model, or VADER's rules over the operator's lexicon file."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        raise LexiconError("the vadersentiment package is not installed") from exc
    analyzer = SentimentIntensityAnalyzer()  # reads the lexicon and emoji table shipped inside the package
    if not lexicon_path:
        from importlib.metadata import version

        return SentimentModel(
            analyzer,
            source=f"vadersentiment {version('vadersentiment')} (packaged lexicon)",
            entries=len(analyzer.lexicon),
        )
    path = Path(lexicon_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LexiconError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    analyzer.lexicon = parse_lexicon(text, origin=str(path))
    return SentimentModel(analyzer, source=str(path), entries=len(analyzer.lexicon))


@cache
def cached_model(lexicon_path: str = "") -> SentimentModel:
    """One model per process and lexicon (loading parses 7,500 lines)."""
    return load_model(lexicon_path or None)
