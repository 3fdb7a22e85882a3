"""Surveys: staff write a draft (questions, audience, when it opens and closes), publish it, may close it early;
people of its audience answer it once.

One answer per person is the `survey_response_once` unique constraint: two answers racing each other both pass
the friendly check, and the database refuses the second insert; its whole transaction (response and answers)
rolls back, so nothing is ever counted twice. Every staff action is audited (`analytics.survey_*`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import nh3
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from stagedoor.analytics import errors
from stagedoor.analytics.events import SURVEY_ANSWERED, SURVEY_PUBLISHED
from stagedoor.analytics.models import Audience, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.core.audit import audit_record
from stagedoor.core.outbox import outbox_publish

MAX_QUESTIONS = 30
MIN_OPTIONS, MAX_OPTIONS = 2, 12
OPTION_MAX = 100
PROMPT_MAX = 300
TITLE_MAX = 120
INTRO_MAX = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    prompt: str
    options: Sequence[str] = ()
    required: bool = True


def clean_text(raw: str) -> str:
    """Plain text from what a person typed: tags and their scripts removed, control and bidi-override characters
    dropped, Unicode NFC, at most one blank line in a row, trimmed. Pages escape it again when they show it."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    text = html.unescape(nh3.clean(text, tags=set()))
    text = _CONTROL.sub("", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def _invalid(field: str, message: str) -> errors.SurveyInvalid:
    return errors.SurveyInvalid(extra={"fields": {field: [message]}})


def _check_question(spec: QuestionSpec, n: int) -> tuple[str, list[str]]:
    where = f"questions.{n}"
    if spec.kind not in QuestionKind.values:
        raise _invalid(f"{where}.kind", "Use single, multi, rating or text.")
    prompt = clean_text(spec.prompt or "")
    if not 1 <= len(prompt) <= PROMPT_MAX:
        raise _invalid(f"{where}.prompt", f"Write a question of 1–{PROMPT_MAX} characters.")
    options = [clean_text(str(o)) for o in spec.options if clean_text(str(o))]
    if spec.kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise _invalid(f"{where}.options", f"Give {MIN_OPTIONS}–{MAX_OPTIONS} options.")
        if any(len(o) > OPTION_MAX for o in options):
            raise _invalid(f"{where}.options", f"Keep each option to {OPTION_MAX} characters.")
        if len({o.casefold() for o in options}) != len(options):
            raise _invalid(f"{where}.options", "Each option must be different.")
    elif options:
        raise _invalid(f"{where}.options", "Only choice questions have options.")
    return prompt, options


def _check_window(opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise _invalid("opens_at", "Give times with a time zone.")
    if closes_at <= opens_at:
        raise _invalid("closes_at", "The survey must close after it opens.")
    if closes_at <= now:
        raise _invalid("closes_at", "The survey must close in the future.")


def survey_create(
    *,
    actor: Any,
    title: str,
    audience: str,
    opens_at: datetime,
    closes_at: datetime,
    intro: str = "",
    questions: Sequence[QuestionSpec] = (),
    now: datetime | None = None,
) -> Survey:
    """A draft survey (with its questions, if given). Audited."""
    now = now or timezone.now()
    title = clean_text(title or "")
    intro = clean_text(intro or "")
    if not 1 <= len(title) <= TITLE_MAX:
        raise _invalid("title", f"Write a title of 1–{TITLE_MAX} characters.")
    if len(intro) > INTRO_MAX:
        raise _invalid("intro", f"Keep the introduction to {INTRO_MAX} characters.")
    if audience not in Audience.values:
        raise _invalid("audience", "Choose viewers or performers.")
    _check_window(opens_at, closes_at, now)
    if len(questions) > MAX_QUESTIONS:
        raise _invalid("questions", f"At most {MAX_QUESTIONS} questions.")
    checked = [_check_question(spec, n) for n, spec in enumerate(questions)]
    with transaction.atomic():
        survey = Survey.objects.create(
            title=title,
            intro=intro,
            audience=audience,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
            created_at=now,
        )
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                survey=survey, position=n + 1, kind=spec.kind, prompt=prompt, options=options, required=spec.required
            )
            for n, (spec, (prompt, options)) in enumerate(zip(questions, checked, strict=True))
        )
        audit_record(
            actor=actor,
            action="analytics.survey_create",
            target=survey,
            data={"title": title, "audience": audience, "questions": len(questions)},
        )
    return survey


def _draft_for_update(survey_id: str) -> Survey:
    survey = Survey.objects.select_for_update().filter(pk=str(survey_id)[:40]).first()
    if survey is None:
        raise errors.SurveyNotFound()
    if survey.status != Survey.Status.DRAFT:
        raise errors.SurveyNotDraft()
    return survey


def survey_question_add(*, actor: Any, survey_id: str, spec: QuestionSpec) -> SurveyQuestion:
    """Add a question at the end of a draft. Audited."""
    with transaction.atomic():
        survey = _draft_for_update(survey_id)
        count = survey.questions.count()
        if count >= MAX_QUESTIONS:
            raise _invalid("questions", f"At most {MAX_QUESTIONS} questions.")
        prompt, options = _check_question(spec, count)
        last = survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
        question = SurveyQuestion.objects.create(
            survey=survey, position=last + 1, kind=spec.kind, prompt=prompt, options=options, required=spec.required
        )
        audit_record(
            actor=actor,
            action="analytics.survey_question_add",
            target=survey,
            data={"question": question.pk, "kind": spec.kind},
        )
    return question


def survey_question_remove(*, actor: Any, survey_id: str, question_id: int) -> Survey:
    """Remove a question from a draft. Audited."""
    with transaction.atomic():
        survey = _draft_for_update(survey_id)
        question = survey.questions.filter(pk=question_id).first()
        if question is None:
            raise errors.SurveyNotFound("There is no such question in this survey.")
        question.delete()
        for later in survey.questions.filter(position__gt=question.position).order_by("position"):
            later.position -= 1  # ascending: each question moves into the place just freed
            later.save(update_fields=["position"])
        audit_record(
            actor=actor, action="analytics.survey_question_remove", target=survey, data={"question": question_id}
        )
    return survey


def survey_publish(*, actor: Any, survey_id: str, now: datetime | None = None) -> Survey:
    """Publish a draft with at least one question: it opens at `opens_at`. Audited; announced on the outbox."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = _draft_for_update(survey_id)
        if not survey.questions.exists():
            raise _invalid("questions", "Add at least one question before publishing.")
        _check_window(survey.opens_at, survey.closes_at, now)
        survey.status = Survey.Status.PUBLISHED
        survey.published_at = now
        survey.save(update_fields=["status", "published_at"])
        audit_record(actor=actor, action="analytics.survey_publish", target=survey)
        outbox_publish(
            topic=SURVEY_PUBLISHED,
            payload={
                "survey_id": survey.pk,
                "audience": survey.audience,
                "opens_at": survey.opens_at.isoformat(),
                "closes_at": survey.closes_at.isoformat(),
            },
        )
    return survey


def survey_close(*, actor: Any, survey_id: str, now: datetime | None = None) -> Survey:
    """Close a published survey now (answers stop; results stay). Audited."""
    now = now or timezone.now()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().filter(pk=str(survey_id)[:40]).first()
        if survey is None:
            raise errors.SurveyNotFound()
        if survey.status != Survey.Status.PUBLISHED or survey.closes_at <= now:
            raise errors.SurveyNotOpen("This survey is not published or has already closed.")
        survey.closes_at = now
        survey.opens_at = min(survey.opens_at, now - timedelta(microseconds=1))  # closed before it opened
        survey.save(update_fields=["opens_at", "closes_at"])
        audit_record(actor=actor, action="analytics.survey_close", target=survey)
    return survey


# --- answering ---------------------------------------------------------------------------------------------


def _answer_rows(question: SurveyQuestion, value: Any, *, text_max: int) -> list[SurveyAnswer]:
    """The answer rows for one question's value, or [] when it was left empty. Raises AnswerInvalid."""

    def bad(message: str) -> errors.AnswerInvalid:
        return errors.AnswerInvalid(extra={"fields": {str(question.pk): [message]}})

    def index(raw: Any) -> int:
        try:
            option = int(raw)
        except (TypeError, ValueError):
            raise bad("Choose one of the options.") from None
        if not 0 <= option < len(question.options) or isinstance(raw, bool):
            raise bad("Choose one of the options.")
        return option

    empty = value is None or value == "" or value == []
    if empty:
        return []
    if question.kind == QuestionKind.SINGLE:
        if isinstance(value, list):
            if len(value) != 1:
                raise bad("Choose one option.")
            value = value[0]
        return [SurveyAnswer(question=question, option=index(value))]
    if question.kind == QuestionKind.MULTI:
        values = value if isinstance(value, list) else [value]
        options = sorted({index(v) for v in values})
        return [SurveyAnswer(question=question, option=o) for o in options]
    if question.kind == QuestionKind.RATING:
        try:
            rating = int(value)
        except (TypeError, ValueError):
            raise bad("Choose 1 to 5.") from None
        if isinstance(value, bool) or not 1 <= rating <= 5:
            raise bad("Choose 1 to 5.")
        return [SurveyAnswer(question=question, rating=rating)]
    if not isinstance(value, str):
        raise bad("Write text.")
    text = clean_text(value)
    if len(text) > text_max:
        raise bad(f"Write at most {text_max} characters.")
    return [SurveyAnswer(question=question, text=text)] if text else []


def survey_answer(
    *, user: Any, survey_id: str, answers: Mapping[str, Any], now: datetime | None = None
) -> SurveyResponse:
    """Record the person's one answer to an open survey of their audience.

    `answers` maps a question's id (as text) to its value: an option's index (single), a list of indexes (multi),
    1–5 (rating) or text. A required question left empty, a value of the wrong shape, an unknown question, a
    closed survey or a second answer is refused, and then nothing is stored."""
    now = now or timezone.now()
    survey = survey_selectors.access_survey(user, survey_id, now=now)
    if not survey_selectors.is_open(survey, now=now):
        raise errors.SurveyNotOpen()
    if survey_selectors.has_answered(user, survey):
        raise errors.SurveyAlreadyAnswered()
    questions = {str(q.pk): q for q in survey_selectors.questions_of(survey)}
    unknown = sorted(set(map(str, answers)) - set(questions))
    if unknown:
        raise errors.AnswerInvalid(extra={"fields": {k: ["Not a question of this survey."] for k in unknown[:10]}})
    text_max = settings.STAGEDOOR.analytics.survey_text_max
    rows: list[SurveyAnswer] = []
    missing: dict[str, list[str]] = {}
    for key, question in questions.items():
        found = _answer_rows(question, answers.get(key), text_max=text_max)
        if not found and question.required:
            missing[key] = ["Answer this question."]
        rows.extend(found)
    if missing:
        raise errors.AnswerInvalid("Some required questions have no answer.", extra={"fields": missing})
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(survey=survey, respondent=user, created_at=now)
            for row in rows:
                row.response = response
            SurveyAnswer.objects.bulk_create(rows)
            outbox_publish(topic=SURVEY_ANSWERED, payload={"survey_id": survey.pk, "response_id": response.pk})
    except IntegrityError:
        # the unique constraint: a second answer raced this one (the check above passed for both)
        raise errors.SurveyAlreadyAnswered() from None
    return response
