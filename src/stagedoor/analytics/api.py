"""The analytics API (see docs/analytics.md): the performer's and the finance dashboards' data, JSON or CSV;
surveys (answer once; staff write, publish, close, read results); chat sentiment trends."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from stagedoor.accounts.auth import AUTH, requires
from stagedoor.accounts.roles import Perm
from stagedoor.accounts.selectors import require_perm
from stagedoor.analytics import exports, schemas, selectors, services
from stagedoor.analytics.models import Survey
from stagedoor.analytics.selectors import sentiment as sentiment_selectors
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.core.errors import NotFound, ValidationFailed

router = Router(tags=["analytics"])


def _days(days: int) -> int:
    if days not in selectors.RANGES:
        raise ValidationFailed.of_field("days", "Use 30, 90 or 365.")
    return days


@router.get("/me/dashboard", response=schemas.PerformerDashboardOut, auth=requires(Perm.EARNINGS_READ))
def my_dashboard(request: HttpRequest, days: int = 30) -> Any:
    """Your earnings by source, top supporters, show minutes and payers ÷ chatters, per day."""
    me = require_perm(request.auth, Perm.EARNINGS_READ)  # type: ignore[attr-defined]
    return selectors.performer_dashboard(me, days=_days(days))


@router.get("/me/dashboard.csv", auth=requires(Perm.EARNINGS_READ))
def my_dashboard_csv(
    request: HttpRequest, days: int = 30, table: Literal["earnings", "supporters", "minutes", "conversion"] = "earnings"
) -> HttpResponse:
    me = require_perm(request.auth, Perm.EARNINGS_READ)  # type: ignore[attr-defined]
    board = selectors.performer_dashboard(me, days=_days(days))
    return exports.csv_response(exports.to_csv(exports.performer_rows(board, table)), f"dashboard-{table}-{days}d.csv")


@router.get("/analytics/finance", response=schemas.FinanceDashboardOut, auth=requires(Perm.FINANCE_DASHBOARD))
def finance_dashboard(request: HttpRequest, days: int = 30) -> Any:
    """Token sales, platform revenue by product, chargeback rates, earnings owed and liabilities, per day."""
    require_perm(request.auth, Perm.FINANCE_DASHBOARD)  # type: ignore[attr-defined]
    return selectors.finance_dashboard(days=_days(days))


@router.get("/analytics/finance.csv", auth=requires(Perm.FINANCE_DASHBOARD))
def finance_dashboard_csv(
    request: HttpRequest, days: int = 30, table: Literal["sales", "revenue", "chargebacks", "liabilities"] = "sales"
) -> HttpResponse:
    require_perm(request.auth, Perm.FINANCE_DASHBOARD)  # type: ignore[attr-defined]
    board = selectors.finance_dashboard(days=_days(days))
    return exports.csv_response(exports.to_csv(exports.finance_rows(board, table)), f"finance-{table}-{days}d.csv")


# --- surveys -----------------------------------------------------------------------------------------------


def _survey_out(survey: Survey, *, answered: bool = False, questions: bool = True) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "title": survey.title,
        "intro": survey.intro,
        "audience": survey.audience,
        "status": survey.status,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "answered": answered,
        "questions": survey_selectors.questions_of(survey) if questions else [],
    }


@router.get("/surveys", response=list[schemas.SurveyOut], auth=AUTH)
def open_surveys(request: HttpRequest) -> Any:
    """The open surveys for you (viewers or performers), soonest closing first, each with `answered`."""
    me = request.auth  # type: ignore[attr-defined]
    return [_survey_out(s, answered=a, questions=False) for s, a in survey_selectors.open_surveys_for(me)]


@router.get("/surveys/{survey_id}", response=schemas.SurveyOut, auth=AUTH)
def survey_detail(request: HttpRequest, survey_id: str) -> Any:
    me = request.auth  # type: ignore[attr-defined]
    survey = survey_selectors.access_survey(me, survey_id)
    return _survey_out(survey, answered=survey_selectors.has_answered(me, survey))


@router.post("/surveys/{survey_id}/answers", response={201: schemas.SurveyAnsweredOut}, auth=AUTH)
def survey_answer(request: HttpRequest, survey_id: str, payload: schemas.SurveyAnswerIn) -> Status[dict[str, Any]]:
    """Answer once. A second answer is refused (409 `analytics.survey_already_answered`) and changes nothing."""
    me = request.auth  # type: ignore[attr-defined]
    response = services.survey_answer(user=me, survey_id=survey_id, answers=payload.answers)
    return Status(201, {"survey_id": response.survey_id, "response_id": response.pk})


@router.post("/analytics/surveys", response={201: schemas.SurveyOut}, auth=requires(Perm.SURVEYS_MANAGE))
def survey_create(request: HttpRequest, payload: schemas.SurveyIn) -> Status[dict[str, Any]]:
    """A draft survey with its questions; publish it to open it at `opens_at`."""
    me = require_perm(request.auth, Perm.SURVEYS_MANAGE)  # type: ignore[attr-defined]
    survey = services.survey_create(
        actor=me,
        title=payload.title,
        intro=payload.intro,
        audience=payload.audience,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        questions=[services.QuestionSpec(q.kind, q.prompt, q.options, q.required) for q in payload.questions],
    )
    return Status(201, _survey_out(survey))


@router.post("/analytics/surveys/{survey_id}/publish", response=schemas.SurveyOut, auth=requires(Perm.SURVEYS_MANAGE))
def survey_publish(request: HttpRequest, survey_id: str) -> Any:
    me = require_perm(request.auth, Perm.SURVEYS_MANAGE)  # type: ignore[attr-defined]
    return _survey_out(services.survey_publish(actor=me, survey_id=survey_id))


@router.post("/analytics/surveys/{survey_id}/close", response=schemas.SurveyOut, auth=requires(Perm.SURVEYS_MANAGE))
def survey_close(request: HttpRequest, survey_id: str) -> Any:
    me = require_perm(request.auth, Perm.SURVEYS_MANAGE)  # type: ignore[attr-defined]
    return _survey_out(services.survey_close(actor=me, survey_id=survey_id))


@router.get(
    "/analytics/surveys/{survey_id}/results", response=schemas.SurveyResultsOut, auth=requires(Perm.SURVEYS_MANAGE)
)
def survey_results(request: HttpRequest, survey_id: str, text_page: int = 1) -> Any:
    """Counts per option and rating, the rating's mean, free-text answers 20 a page (newest first)."""
    require_perm(request.auth, Perm.SURVEYS_MANAGE)  # type: ignore[attr-defined]
    survey = survey_selectors.survey_for_staff(survey_id)
    results = survey_selectors.survey_results(survey, text_page=text_page)
    return {
        "survey": _survey_out(survey),
        "responses": results.responses,
        "text_page": results.text_page,
        "questions": results.questions,
    }


# --- chat sentiment ----------------------------------------------------------------------------------------


def _trend_out(trend: sentiment_selectors.SentimentTrend) -> dict[str, Any]:
    out = dict(vars(trend))
    out["min_messages"] = sentiment_selectors.MIN_MESSAGES
    return out


@router.get("/me/sentiment", response=schemas.SentimentTrendOut, auth=requires(Perm.ROOM_MANAGE))
def my_sentiment(request: HttpRequest, days: int = 30) -> Any:
    """Your room's chat mood by day and by hour: counts of positive, neutral and negative lines and the mean
    score, never a single message's (days or hours with fewer than `min_messages` lines show the count only)."""
    me = require_perm(request.auth, Perm.ROOM_MANAGE)  # type: ignore[attr-defined]
    return _trend_out(sentiment_selectors.sentiment_trend(performer_id=str(me.pk), days=_days(days)))


@router.get("/analytics/sentiment", response=schemas.SentimentTrendOut, auth=requires(Perm.SENTIMENT_READ_ANY))
def sentiment(request: HttpRequest, days: int = 30, room: str = "") -> Any:
    """Every room's chat mood together, or one room's (`room`: its slug)."""
    require_perm(request.auth, Perm.SENTIMENT_READ_ANY)  # type: ignore[attr-defined]
    performer_id = None
    if room:
        found = sentiment_selectors.room_by_slug(room)
        if found is None:
            raise NotFound("There is no room with this name.")
        performer_id = found[2]
    return _trend_out(sentiment_selectors.sentiment_trend(performer_id=performer_id, days=_days(days)))
