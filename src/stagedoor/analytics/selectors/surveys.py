"""Reads of surveys: which are open for a person, fetch-and-authorize for answering, staff lists and results.

A survey is *open* when it is published and `opens_at <= now < closes_at`. A person sees the open surveys of
their audience (viewers: the viewer and chat-host roles; performers: the performer role); staff roles are in no
audience. Results count every response, including those whose person was erased (they name no one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from stagedoor.accounts.roles import Role
from stagedoor.analytics import errors
from stagedoor.analytics.models import Audience, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

TEXT_PAGE_SIZE = 20
#: which audience a role belongs to (a role not listed is in none: staff answer no surveys)
ROLE_AUDIENCE: dict[str, str] = {
    Role.VIEWER: Audience.VIEWERS,
    Role.CHAT_HOST: Audience.VIEWERS,
    Role.PERFORMER: Audience.PERFORMERS,
}


def audience_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return ROLE_AUDIENCE.get(str(user.role))


def is_open(survey: Survey, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == Survey.Status.PUBLISHED and survey.opens_at <= now < survey.closes_at


def _open(now: datetime) -> QuerySet[Survey]:
    return Survey.objects.filter(status=Survey.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now)


def open_surveys_for(user: Any, *, now: datetime | None = None) -> list[tuple[Survey, bool]]:
    """The open surveys of the person's audience, soonest closing first, each with "already answered"."""
    audience = audience_of(user)
    if audience is None:
        return []
    surveys = list(_open(now or timezone.now()).filter(audience=audience).order_by("closes_at", "id")[:50])
    answered = set(
        SurveyResponse.objects.filter(respondent=user, survey__in=surveys).values_list("survey_id", flat=True)
    )
    return [(s, s.pk in answered) for s in surveys]


def unanswered_count(user: Any, *, now: datetime | None = None) -> int:
    """For the banner: open surveys of the person's audience they have not answered."""
    audience = audience_of(user)
    if audience is None:
        return 0
    return _open(now or timezone.now()).filter(audience=audience).exclude(responses__respondent=user).count()


def access_survey(user: Any, survey_id: str, *, now: datetime | None = None) -> Survey:
    """A published survey of the person's audience that has opened (it may have closed since): else not found."""
    audience = audience_of(user)
    survey = (
        Survey.objects.filter(
            pk=str(survey_id)[:40], status=Survey.Status.PUBLISHED, opens_at__lte=now or timezone.now()
        ).first()
        if audience is not None
        else None
    )
    if survey is None or survey.audience != audience:
        raise errors.SurveyNotFound()
    return survey


def has_answered(user: Any, survey: Survey) -> bool:
    return SurveyResponse.objects.filter(survey=survey, respondent=user).exists()


def questions_of(survey: Survey) -> list[SurveyQuestion]:
    return list(survey.questions.order_by("position"))


def survey_for_staff(survey_id: str) -> Survey:
    survey = Survey.objects.filter(pk=str(survey_id)[:40]).first()
    if survey is None:
        raise errors.SurveyNotFound()
    return survey


def surveys_for_staff(*, limit: int = 100) -> list[Survey]:
    surveys = Survey.objects.annotate(response_count=Count("responses", distinct=True)).order_by("-created_at")
    return cast(list[Survey], list(surveys[:limit]))


def surveys_open_count(*, now: datetime | None = None) -> int:
    return _open(now or timezone.now()).count()


# --- results -----------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    id: int
    position: int
    kind: str
    prompt: str
    answered: int  # responses that answered this question
    labels: list[str] = field(default_factory=list)  # single, multi: the options; rating: "1".."5"
    counts: list[int] = field(default_factory=list)  # per label
    mean: float | None = None  # rating
    texts: list[str] = field(default_factory=list)  # text: this page of answers, newest first
    text_pages: int = 0

    @property
    def pairs(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.counts, strict=True))


@dataclass
class SurveyResults:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    text_page: int


def survey_results(survey: Survey, *, text_page: int = 1, page_size: int = TEXT_PAGE_SIZE) -> SurveyResults:
    """Counts per option and rating, the rating's mean, and one page of free-text answers (newest first)."""
    questions = questions_of(survey)
    answers = SurveyAnswer.objects.filter(question__survey=survey)
    choice_counts = {
        (row["question_id"], row["option"]): row["n"]
        for row in answers.filter(option__isnull=False).values("question_id", "option").annotate(n=Count("id"))
    }
    rating_counts = {
        (row["question_id"], row["rating"]): row["n"]
        for row in answers.filter(rating__isnull=False).values("question_id", "rating").annotate(n=Count("id"))
    }
    answered = {
        row["question_id"]: row["n"]
        for row in answers.values("question_id").annotate(n=Count("response_id", distinct=True))
    }
    means = {
        row["question_id"]: row["m"]
        for row in answers.filter(rating__isnull=False).values("question_id").annotate(m=Avg("rating"))
    }
    text_page = max(1, text_page)
    results: list[QuestionResult] = []
    for q in questions:
        result = QuestionResult(
            id=q.pk, position=q.position, kind=q.kind, prompt=q.prompt, answered=answered.get(q.pk, 0)
        )
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
            result.labels = [str(o) for o in q.options]
            result.counts = [choice_counts.get((q.pk, i), 0) for i in range(len(q.options))]
        elif q.kind == QuestionKind.RATING:
            result.labels = [str(r) for r in range(1, 6)]
            result.counts = [rating_counts.get((q.pk, r), 0) for r in range(1, 6)]
            mean = means.get(q.pk)
            result.mean = round(float(mean), 2) if mean is not None else None
        else:
            texts = answers.filter(question=q).exclude(text="").order_by("-id")
            total = texts.count()
            result.text_pages = max(1, -(-total // page_size))
            start = (min(text_page, result.text_pages) - 1) * page_size
            result.texts = list(texts.values_list("text", flat=True)[start : start + page_size])
        results.append(result)
    return SurveyResults(survey=survey, responses=survey.responses.count(), questions=results, text_page=text_page)
