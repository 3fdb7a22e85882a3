"""Staff console: surveys (`/staff/surveys/`). Write a draft (title, audience, when it opens and closes), add its
questions, publish it; watch the results (charts, free text 20 a page); close it early. Every action is audited
by the services. Needs `Perm.SURVEYS_MANAGE`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_POST

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import Perm
from stagedoor.analytics import services
from stagedoor.analytics.models import Audience, QuestionKind, Survey
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.analytics.services import surveys as survey_services
from stagedoor.core.console import console_section, staff_action
from stagedoor.core.errors import ApplicationError

SECTION = "/staff/surveys/"


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # the console's gate let only a signed-in member of staff through


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=survey_services.TITLE_MAX)
    intro = forms.CharField(
        max_length=survey_services.INTRO_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(choices=Audience.choices)
    opens_at = forms.DateTimeField(label="Opens (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label="Closes (UTC)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=QuestionKind.choices)
    prompt = forms.CharField(max_length=survey_services.PROMPT_MAX)
    options = forms.CharField(
        required=False,
        label="Options (choice questions: one a line)",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )
    required = forms.BooleanField(required=False, initial=True)


def _fields_message(exc: ApplicationError) -> str:
    fields = exc.extra.get("fields", {})
    details = "; ".join(f"{'; '.join(v)}" for v in fields.values())
    return f"{exc.message} {details}".strip()


def surveys(request: HttpRequest) -> HttpResponse:
    """The surveys, newest first, and the form for a new draft (POST creates it)."""
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            survey = services.survey_create(
                actor=_actor(request),
                title=d["title"],
                intro=d["intro"],
                audience=d["audience"],
                opens_at=d["opens_at"],
                closes_at=d["closes_at"],
            )
        except ApplicationError as exc:
            messages.error(request, _fields_message(exc))
        else:
            messages.success(request, "Draft saved: add its questions, then publish it.")
            return HttpResponseRedirect(f"{SECTION}{survey.pk}/")
    context = {"surveys": survey_selectors.surveys_for_staff(), "form": form}
    return render(request, "analytics/console/surveys.html", context, status=422 if form.errors else 200)


def survey_detail(request: HttpRequest, survey_id: str) -> HttpResponse:
    """A draft: its questions, add (POST) or remove one, publish. Published: the results and a close button."""
    survey = survey_selectors.survey_for_staff(survey_id)
    form = QuestionForm(request.POST or None, initial={"required": True})
    if request.method == "POST" and survey.status == Survey.Status.DRAFT and form.is_valid():
        d = form.cleaned_data
        spec = services.QuestionSpec(
            kind=d["kind"], prompt=d["prompt"], options=d["options"].splitlines(), required=d["required"]
        )
        try:
            services.survey_question_add(actor=_actor(request), survey_id=survey.pk, spec=spec)
        except ApplicationError as exc:
            messages.error(request, _fields_message(exc))
        else:
            messages.success(request, "Question added.")
            return HttpResponseRedirect(f"{SECTION}{survey.pk}/")
    raw = request.GET.get("page", "1")
    results = survey_selectors.survey_results(survey, text_page=int(raw) if raw.isdigit() else 1)
    chart = {
        "questions": [
            {"id": q.id, "kind": q.kind, "labels": q.labels, "counts": q.counts} for q in results.questions if q.labels
        ]
    }
    context = {
        "survey": survey,
        "results": results,
        "form": form,
        "is_draft": survey.status == Survey.Status.DRAFT,
        "is_open": survey_selectors.is_open(survey),
        "chart_data": chart,
    }
    return render(request, "analytics/console/survey.html", context, status=422 if form.errors else 200)


@require_POST
def question_remove(request: HttpRequest, survey_id: str, question_id: str) -> HttpResponse:
    actor = _actor(request)
    number = int(question_id) if question_id.isdigit() and len(question_id) < 19 else 0  # 0: no such question
    done = staff_action(
        request, lambda: services.survey_question_remove(actor=actor, survey_id=survey_id, question_id=number)
    )
    if done is not None:
        messages.success(request, "Question removed.")
    return HttpResponseRedirect(f"{SECTION}{survey_id}/")


@require_POST
def publish(request: HttpRequest, survey_id: str) -> HttpResponse:
    actor = _actor(request)
    try:
        services.survey_publish(actor=actor, survey_id=survey_id)
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        messages.error(request, _fields_message(exc))
    else:
        messages.success(request, "Published: it opens at the time set.")
    return HttpResponseRedirect(f"{SECTION}{survey_id}/")


@require_POST
def close(request: HttpRequest, survey_id: str) -> HttpResponse:
    actor = _actor(request)
    if staff_action(request, lambda: services.survey_close(actor=actor, survey_id=survey_id)) is not None:
        messages.success(request, "Closed: no more answers are taken.")
    return HttpResponseRedirect(f"{SECTION}{survey_id}/")


def _blurb(actor: Any) -> str:
    return f"{survey_selectors.surveys_open_count()} open"


console_section(
    slug="surveys",
    title="Surveys",
    perm=Perm.SURVEYS_MANAGE,
    order=64,
    description="Ask viewers or performers: write, schedule and publish surveys; results with charts.",
    view=surveys,
    template="analytics/console/surveys.html",
    routes=[
        path("<str:survey_id>/", survey_detail, name="detail"),
        path("<str:survey_id>/questions/<str:question_id>/remove", question_remove, name="question-remove"),
        path("<str:survey_id>/publish", publish, name="publish"),
        path("<str:survey_id>/close", close, name="close"),
    ],
    blurb=_blurb,
)
