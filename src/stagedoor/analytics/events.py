"""Outbox topics analytics publishes, and the payload each one carries."""

from __future__ import annotations

from typing import TypedDict

from stagedoor.core.outbox import Topic


class SurveyPublished(TypedDict):
    survey_id: str
    audience: str  # "viewer" | "performer"
    opens_at: str  # ISO 8601, UTC
    closes_at: str


#: staff published a survey (e.g. for a notification to its audience when it opens)
SURVEY_PUBLISHED: Topic[SurveyPublished] = Topic("analytics.survey_published")


class SurveyAnswered(TypedDict):
    survey_id: str
    response_id: int


#: someone answered a survey (no answer content in the event)
SURVEY_ANSWERED: Topic[SurveyAnswered] = Topic("analytics.survey_answered")
