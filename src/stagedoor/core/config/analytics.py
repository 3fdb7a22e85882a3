"""Analytics: chat sentiment (the operator's lexicon file, how long a message waits for moderation before it is
counted) and surveys (the longest free-text answer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stagedoor.core.config.vars import Var, _file, _integer

ANALYTICS_SENTIMENT_LEXICON = Var("STAGEDOOR_ANALYTICS_SENTIMENT_LEXICON", _file)
ANALYTICS_SENTIMENT_SETTLE_MINUTES = Var("STAGEDOOR_ANALYTICS_SENTIMENT_SETTLE_MINUTES", _integer(10, 1, 1440))
ANALYTICS_SURVEY_TEXT_MAX = Var("STAGEDOOR_ANALYTICS_SURVEY_TEXT_MAX", _integer(1000, 20, 10_000))


@dataclass(frozen=True)
class AnalyticsConfig:
    """`sentiment_lexicon`: a VADER-format lexicon file to use instead of the one shipped in the `vadersentiment`
    package (empty: the packaged one); `sentiment_settle_minutes` (at least 1: the chat gateway writes lines in
    batches a few seconds after it numbers them): a chat line is scored only once it is this old, so moderation
    (deletes, purges, holds) has decided about it first; `survey_text_max`: the longest free-text
    survey answer, in characters."""

    sentiment_lexicon: str = ""
    sentiment_settle_minutes: int = 10
    survey_text_max: int = 1000


def _analytics_config(env: Mapping[str, str]) -> AnalyticsConfig:
    return AnalyticsConfig(
        sentiment_lexicon=ANALYTICS_SENTIMENT_LEXICON.read(env),
        sentiment_settle_minutes=ANALYTICS_SENTIMENT_SETTLE_MINUTES.read(env),
        survey_text_max=ANALYTICS_SURVEY_TEXT_MAX.read(env),
    )
