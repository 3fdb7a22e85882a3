"""analytics' part of data-subject requests (core.privacy_registry).

Rollups are counts; the per-person rows are the days someone chatted in a room (`ChatterDaily`, by account id;
after erasure that id is the tombstone's, so the rows name no one and are kept for the counts) and survey
answers (`SurveyResponse.respondent`). Erasure drops each response's link to the person and blanks their free-text
answers (a text may name its writer); the choices and ratings stay in the results as anonymous counts.
Chat sentiment rows (`SentimentHourly`) hold no person at all.
"""

from __future__ import annotations

from typing import Any

from stagedoor.analytics.models import ChatterDaily, SurveyAnswer, SurveyResponse
from stagedoor.core.privacy_registry import (
    EraseContext,
    ErasureResult,
    ExportData,
    register_eraser,
    register_exporter,
    rows,
)


def _survey_answers(user: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    answers = (
        SurveyAnswer.objects.filter(response__respondent=user)
        .select_related("response__survey", "question")
        .order_by("response__created_at", "question__position", "option")
    )
    for a in answers:
        q = a.question
        if a.option is not None:
            value: Any = q.options[a.option] if a.option < len(q.options) else a.option
        elif a.rating is not None:
            value = a.rating
        else:
            value = a.text
        out.append(
            {
                "survey": a.response.survey.title,
                "answered_at": a.response.created_at.isoformat(),
                "question": q.prompt,
                "answer": value,
            }
        )
    return out


def export_analytics(user: Any) -> ExportData:
    return {
        "chat_days": rows(ChatterDaily.objects.filter(user_id=str(user.pk)).order_by("day"), ["day", "performer_id"]),
        "survey_answers": _survey_answers(user),
    }


def erase_analytics(ctx: EraseContext) -> ErasureResult:
    result = ErasureResult()
    result.keep(
        "days chatted per room, by account id only (counts of distinct chatters)",
        "statistics with no identifying field once the account is a tombstone (GDPR Recital 26, Art. 89)",
        ChatterDaily.objects.filter(user_id=str(ctx.user.pk)).count(),
    )
    if ctx.held:
        result.keep(
            "survey answers (under a legal hold)",
            "legal hold",
            SurveyResponse.objects.filter(respondent=ctx.user).count(),
        )
        return result
    responses = SurveyResponse.objects.filter(respondent=ctx.user)
    result.changed += SurveyAnswer.objects.filter(response__in=responses).exclude(text="").update(text="")
    unlinked = responses.update(respondent=None)
    result.changed += unlinked
    result.keep(
        "survey choices and ratings, no longer linked to anyone (counts in the results)",
        "anonymous statistics (GDPR Recital 26, Art. 89)",
        unlinked,
    )
    return result


register_exporter("analytics", export_analytics)
register_eraser("analytics", erase_analytics)
