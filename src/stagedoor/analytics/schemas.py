"""API schemas of analytics: the dashboards' series, day by day (UTC), oldest first."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class SeriesOut(Schema):
    key: str
    label: str
    values: list[int]


class SupporterOut(Schema):
    name: str
    tokens: int
    payments: int
    anonymous: bool


class PerformerDashboardOut(Schema):
    days: int
    labels: list[str]
    earnings: list[SeriesOut]
    earnings_total: int
    supporters: list[SupporterOut]
    minutes: list[int]
    show_tokens: list[int]
    payers: list[int]
    chatters: list[int]
    conversion: list[float | None]
    complete: bool


class ProviderRateOut(Schema):
    provider: str
    purchases: int
    chargebacks: int
    rate: float | None


class FinanceDashboardOut(Schema):
    days: int
    labels: list[str]
    sales_tokens: list[int]
    sales_money: dict[str, list[int]]
    revenue: list[SeriesOut]
    revenue_total: dict[str, int]
    providers: list[ProviderRateOut]
    earnings_owed: int
    wallets: int
    holds: int
    liabilities: list[int]
    complete: bool


# --- surveys -----------------------------------------------------------------------------------------------


class SurveyQuestionOut(Schema):
    id: int
    position: int
    kind: str  # single | multi | rating | text
    prompt: str
    options: list[str]
    required: bool


class SurveyOut(Schema):
    id: str
    title: str
    intro: str
    audience: str
    status: str
    opens_at: datetime
    closes_at: datetime
    answered: bool = False
    questions: list[SurveyQuestionOut] = []


class SurveyAnswerIn(Schema):
    # question id -> an option's index (single), a list of indexes (multi), 1-5 (rating) or text
    answers: dict[str, int | list[int] | str | None]


class SurveyAnsweredOut(Schema):
    survey_id: str
    response_id: int


class SurveyQuestionIn(Schema):
    kind: str
    prompt: str
    options: list[str] = []
    required: bool = True


class SurveyIn(Schema):
    title: str
    intro: str = ""
    audience: str  # viewer | performer
    opens_at: datetime
    closes_at: datetime
    questions: list[SurveyQuestionIn] = []


class QuestionResultOut(Schema):
    id: int
    position: int
    kind: str
    prompt: str
    answered: int
    labels: list[str]
    counts: list[int]
    mean: float | None
    texts: list[str]
    text_pages: int


class SurveyResultsOut(Schema):
    survey: SurveyOut
    responses: int
    text_page: int
    questions: list[QuestionResultOut]


# --- chat sentiment ----------------------------------------------------------------------------------------


class SentimentBucketOut(Schema):
    messages: int
    positive: int | None
    neutral: int | None
    negative: int | None
    mean: float | None


class SentimentTrendOut(Schema):
    days: int
    labels: list[str]
    by_day: list[SentimentBucketOut]
    hour_labels: list[str]
    by_hour: list[SentimentBucketOut]
    period: SentimentBucketOut
    scored_until: datetime | None
    min_messages: int
