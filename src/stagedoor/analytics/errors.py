"""Errors of analytics: each a stable code, a status and a sentence for the person."""

from __future__ import annotations

from stagedoor.core.errors import Conflict, NotFound, ValidationFailed


class SurveyNotFound(NotFound):
    code = "analytics.survey_not_found"
    default_message = "There is no such survey, or it is not for you."


class SurveyNotOpen(Conflict):
    code = "analytics.survey_not_open"
    default_message = "This survey is not open for answers."


class SurveyAlreadyAnswered(Conflict):
    code = "analytics.survey_already_answered"
    default_message = "You have already answered this survey. Thank you!"


class SurveyNotDraft(Conflict):
    code = "analytics.survey_not_draft"
    default_message = "This survey is published: its questions can no longer change."


class SurveyInvalid(ValidationFailed):
    code = "analytics.survey_invalid"
    default_message = "The survey is not valid."


class AnswerInvalid(ValidationFailed):
    code = "analytics.answer_invalid"
    default_message = "Some answers are not valid."
