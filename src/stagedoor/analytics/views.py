"""The performer's dashboard (`/studio/dashboard`, with the room's chat sentiment trend) and its CSV export; the
surveys a person may answer (`/surveys`, `/surveys/<id>`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.analytics import errors, exports, selectors, services
from stagedoor.analytics.models import QuestionKind
from stagedoor.analytics.selectors import sentiment as sentiment_selectors
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.core.errors import ApplicationError
from stagedoor.payouts import selectors as payout_selectors


def _days(request: HttpRequest) -> int:
    raw = request.GET.get("days", "30")
    return selectors.clamp_days(int(raw) if raw.isdigit() else 30)


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/message.html", {"title": "Not possible", "message": exc.message}, status=exc.status)


@login_required
def studio_dashboard(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    board = selectors.performer_dashboard(performer, days=_days(request))
    payouts = list(reversed(payout_selectors.payouts_of(performer, limit=12)))
    mood = sentiment_selectors.sentiment_trend(performer_id=str(performer.pk), days=board.days)
    context = {
        "sentiment": mood,
        "sentiment_min": sentiment_selectors.MIN_MESSAGES,
        "payouts": payouts,
        "board": board,
        "ranges": selectors.RANGES,
        "chart_data": {
            "labels": board.labels,
            "earnings": [{"key": s.key, "label": s.label, "values": s.values} for s in board.earnings],
            "supporters": [{"name": s.name, "tokens": s.tokens} for s in board.supporters],
            "minutes": board.minutes,
            "payers": board.payers,
            "chatters": board.chatters,
            "conversion": board.conversion,
            "sentiment": sentiment_chart(mood),
            "payouts": [
                {"period": f"{p.run.period_end:%Y-%m-%d}", "paid": p.amount_tokens, "reserve": p.reserve_tokens}
                for p in payouts
            ],
        },
        "rows": {t: exports.performer_rows(board, t) for t in exports.PERFORMER_TABLES},
    }
    return render(request, "analytics/studio_dashboard.html", context)


@login_required
def studio_dashboard_csv(request: HttpRequest) -> HttpResponse:
    try:
        performer = require_perm(request.user, Perm.EARNINGS_READ)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, exc)
    table = request.GET.get("table", "earnings")
    if table not in exports.PERFORMER_TABLES:
        table = "earnings"
    days = _days(request)
    board = selectors.performer_dashboard(performer, days=days)
    return exports.csv_response(exports.to_csv(exports.performer_rows(board, table)), f"dashboard-{table}-{days}d.csv")


def sentiment_chart(trend: sentiment_selectors.SentimentTrend) -> dict[str, Any]:
    """The sentiment charts' data: per day and per hour, counts and the mean (None where too few lines)."""

    def series(buckets: list[sentiment_selectors.Bucket]) -> dict[str, list[Any]]:
        return {
            "messages": [b.messages for b in buckets],
            "positive": [b.positive for b in buckets],
            "neutral": [b.neutral for b in buckets],
            "negative": [b.negative for b in buckets],
            "mean": [b.mean for b in buckets],
        }

    return {
        "labels": trend.labels,
        "days": series(trend.by_day),
        "hour_labels": trend.hour_labels,
        "hours": series(trend.by_hour),
    }


# --- surveys -------------------------------------------------------------------------------------------------


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    """The open surveys for this person, answered or not."""
    return render(request, "analytics/surveys.html", {"surveys": survey_selectors.open_surveys_for(request.user)})


def _answers_from(request: HttpRequest, questions: list[Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in questions:
        key = str(q.pk)
        if q.kind == QuestionKind.MULTI:
            answers[key] = request.POST.getlist(f"q{key}")
        else:
            answers[key] = request.POST.get(f"q{key}", "")
    return answers


@login_required
def survey(request: HttpRequest, survey_id: str) -> HttpResponse:
    """One survey: its form (GET), the answer (POST: once; a refusal shows the form again with the reason)."""
    try:
        found = survey_selectors.access_survey(request.user, survey_id)
    except ApplicationError as exc:
        return _refused(request, exc)
    questions = survey_selectors.questions_of(found)
    problems: dict[str, list[str]] = {}
    given: dict[str, Any] = {}
    if request.method == "POST":
        given = _answers_from(request, questions)
        try:
            services.survey_answer(user=request.user, survey_id=found.pk, answers=given)
        except errors.AnswerInvalid as exc:
            problems = exc.extra.get("fields", {})
            messages.error(request, exc.message)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(f"/surveys/{found.pk}")
        else:
            messages.success(request, "Thank you: your answer is saved.")
            return HttpResponseRedirect("/surveys")
    rows = [
        {
            "q": q,
            "errors": problems.get(str(q.pk), []),
            "given": given.get(str(q.pk), [] if q.kind == QuestionKind.MULTI else ""),
            "options": list(enumerate(q.options)),
        }
        for q in questions
    ]
    context = {
        "survey": found,
        "rows": rows,
        "answered": survey_selectors.has_answered(request.user, found),
        "open": survey_selectors.is_open(found),
        "text_max": settings.STAGEDOOR.analytics.survey_text_max,
    }
    return render(request, "analytics/survey.html", context, status=422 if problems else 200)
