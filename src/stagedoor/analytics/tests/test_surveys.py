"""Surveys: staff write, publish and close them; people of the audience answer once; results; refusals change
nothing; pages, console and privacy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.analytics import errors, services
from stagedoor.analytics.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from stagedoor.analytics.privacy import erase_analytics, export_analytics
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.analytics.services import QuestionSpec
from stagedoor.core.models import AuditEntry, OutboxEvent
from stagedoor.core.privacy_registry import EraseContext
from stagedoor.web.tests.console_helpers import client_for, staff

pytestmark = pytest.mark.django_db

QUESTIONS = [
    QuestionSpec("single", "Which night suits you?", ["Friday", "Saturday", "Sunday"]),
    QuestionSpec("multi", "What do you like?", ["Music", "Games", "Talk"], required=False),
    QuestionSpec("rating", "How do you rate the site?"),
    QuestionSpec("text", "Anything else?", required=False),
]


def make_survey(make_user: Any, *, audience: str = "viewer", publish: bool = True) -> tuple[Survey, Any]:
    admin = make_user("admin", mfa=True)
    now = timezone.now()
    survey = services.survey_create(
        actor=admin,
        title="Schedule survey",
        intro="Help us plan.",
        audience=audience,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        questions=QUESTIONS,
    )
    if publish:
        services.survey_publish(actor=admin, survey_id=survey.pk)
    return survey, admin


def q(survey: Survey) -> dict[str, str]:
    """Question ids by kind."""
    return {question.kind: str(question.pk) for question in survey.questions.all()}


def people(n: int, role: str) -> list[Any]:
    """`n` accounts without a password (hashing one takes most of a second under argon2)."""
    from stagedoor.accounts.models import User

    made = [User(login=f"{role}_bulk{i}", email=f"{role}_bulk{i}@example.test", role=role) for i in range(n)]
    for user in made:
        user.set_unusable_password()
    return User.objects.bulk_create(made)


def counts() -> tuple[int, int]:
    return SurveyResponse.objects.count(), SurveyAnswer.objects.count()


def test_answers_are_counted_once_each_and_results_add_up(make_user: Any) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    ann, bo = make_user("viewer"), make_user("viewer")
    services.survey_answer(
        user=ann,
        survey_id=survey.pk,
        answers={ids["single"]: 1, ids["multi"]: [0, 2], ids["rating"]: 4, ids["text"]: "More <b>Sunday</b> shows"},
    )
    services.survey_answer(
        user=bo, survey_id=survey.pk, answers={ids["single"]: "1", ids["rating"]: 5, ids["multi"]: [2]}
    )
    results = survey_selectors.survey_results(survey)
    by_kind = {r.kind: r for r in results.questions}
    assert results.responses == 2
    assert by_kind["single"].counts == [0, 2, 0] and by_kind["single"].answered == 2
    assert by_kind["multi"].labels == ["Music", "Games", "Talk"] and by_kind["multi"].counts == [1, 0, 2]
    assert by_kind["rating"].counts == [0, 0, 0, 1, 1] and by_kind["rating"].mean == 4.5
    assert by_kind["text"].texts == ["More Sunday shows"] and by_kind["text"].answered == 1
    assert OutboxEvent.objects.filter(topic="analytics.survey_answered").count() == 2
    assert OutboxEvent.objects.filter(topic="analytics.survey_published").count() == 1
    assert list(AuditEntry.objects.filter(action__startswith="analytics.survey").values_list("action", flat=True)) == [
        "analytics.survey_create",
        "analytics.survey_publish",
    ]


def test_a_second_answer_is_refused_and_changes_nothing(make_user: Any, api_client: Any) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    ann = make_user("viewer")
    client = api_client(ann)
    body = {"answers": {ids["single"]: 0, ids["rating"]: 3}}
    first = client.post(f"/api/v1/surveys/{survey.pk}/answers", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["survey_id"] == survey.pk
    before = counts()
    second = client.post(
        f"/api/v1/surveys/{survey.pk}/answers",
        {"answers": {ids["single"]: 2, ids["rating"]: 1}},
        content_type="application/json",
    )
    assert second.status_code == 409 and second.json()["code"] == "analytics.survey_already_answered"
    assert counts() == before == (1, 2)
    assert survey_selectors.survey_results(survey).questions[0].counts == [1, 0, 0]
    listed = client.get("/api/v1/surveys").json()
    assert [(s["id"], s["answered"]) for s in listed] == [(survey.pk, True)]


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"single": 3, "rating": 3}, "single"),  # no option 3
        ({"single": 0, "rating": 6}, "rating"),
        ({"single": 0, "rating": "x"}, "rating"),
        ({"single": 0}, "rating"),  # required, missing
        ({"single": 0, "rating": 3, "multi": [0, 9]}, "multi"),
        ({"single": 0, "rating": 3, "text": "x" * 1001}, "text"),
    ],
)
def test_bad_answers_are_refused_with_the_field_and_store_nothing(
    make_user: Any, api_client: Any, answers: dict[str, Any], field: str
) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    response = api_client(make_user("viewer")).post(
        f"/api/v1/surveys/{survey.pk}/answers",
        {"answers": {ids[k]: v for k, v in answers.items()}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "analytics.answer_invalid"
    assert list(response.json()["extra"]["fields"]) == [ids[field]]
    assert counts() == (0, 0)


def test_unknown_question_closed_survey_and_wrong_audience_are_refused(make_user: Any, api_client: Any) -> None:
    survey, admin = make_survey(make_user)
    ids = q(survey)
    viewer = make_user("viewer")
    unknown = api_client(viewer).post(
        f"/api/v1/surveys/{survey.pk}/answers",
        {"answers": {"999999": 1, ids["single"]: 0, ids["rating"]: 2}},
        content_type="application/json",
    )
    assert unknown.status_code == 422 and list(unknown.json()["extra"]["fields"]) == ["999999"]
    for role in ("performer", "moderator"):
        other = api_client(make_user(role, mfa=True))
        assert other.get(f"/api/v1/surveys/{survey.pk}").json()["code"] == "analytics.survey_not_found"
        assert other.get("/api/v1/surveys").json() == []
    services.survey_close(actor=admin, survey_id=survey.pk)
    closed = api_client(viewer).post(
        f"/api/v1/surveys/{survey.pk}/answers",
        {"answers": {ids["single"]: 0, ids["rating"]: 2}},
        content_type="application/json",
    )
    assert closed.status_code == 409 and closed.json()["code"] == "analytics.survey_not_open"
    draft, _ = make_survey(make_user, publish=False)
    assert api_client(viewer).get(f"/api/v1/surveys/{draft.pk}").status_code == 404
    assert counts() == (0, 0)


def test_drafts_are_checked_and_published_surveys_are_frozen(make_user: Any, api_client: Any) -> None:
    admin = make_user("admin", mfa=True)
    client = api_client(admin)
    now = timezone.now()
    base = {
        "title": "T",
        "audience": "performer",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    bad = [
        ({**base, "questions": [{"kind": "single", "prompt": "Pick", "options": ["only one"]}]}, "questions.0.options"),
        ({**base, "questions": [{"kind": "single", "prompt": "Pick", "options": ["a", "A"]}]}, "questions.0.options"),
        ({**base, "questions": [{"kind": "rating", "prompt": "Rate", "options": ["a"]}]}, "questions.0.options"),
        ({**base, "questions": [{"kind": "essay", "prompt": "Say"}]}, "questions.0.kind"),
        ({**base, "closes_at": now.isoformat(), "opens_at": (now + timedelta(hours=1)).isoformat()}, "closes_at"),
        ({**base, "audience": "staff"}, "audience"),
        ({**base, "title": "<i></i>"}, "title"),
    ]
    for body, field in bad:
        response = client.post("/api/v1/analytics/surveys", body, content_type="application/json")
        assert response.status_code == 422, body
        assert list(response.json()["extra"]["fields"]) == [field]
    assert Survey.objects.count() == 0
    created = client.post("/api/v1/analytics/surveys", base, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    survey_id = created.json()["id"]
    empty = client.post(f"/api/v1/analytics/surveys/{survey_id}/publish")
    assert empty.status_code == 422 and list(empty.json()["extra"]["fields"]) == ["questions"]
    services.survey_question_add(actor=admin, survey_id=survey_id, spec=QuestionSpec("rating", "Rate us"))
    assert client.post(f"/api/v1/analytics/surveys/{survey_id}/publish").json()["status"] == "published"
    with pytest.raises(errors.SurveyNotDraft):
        services.survey_question_add(actor=admin, survey_id=survey_id, spec=QuestionSpec("text", "More?"))
    assert SurveyQuestion.objects.filter(survey_id=survey_id).count() == 1


def test_free_text_is_plain_text() -> None:
    assert (
        services.clean_text(" Hi <script>alert(1)</script><b>there</b>\u202e\x07 \r\n\r\n\r\n\r\nbye ")
        == "Hi there \n\nbye"
    )
    assert services.clean_text("a < b & c") == "a < b & c"


def test_people_answer_on_the_page_and_see_the_banner(make_user: Any) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    viewer = make_user("viewer")
    client = client_for(viewer)
    home = client.get("/surveys")  # the list itself carries no banner
    assert home.status_code == 200 and b'data-testid="survey-banner"' not in home.content
    assert b"Schedule survey" in home.content
    account = client.get("/account")
    assert (
        b'data-testid="survey-banner"' in account.content and b"A short survey is waiting for you." in account.content
    )
    missing = client.post(f"/surveys/{survey.pk}", {f"q{ids['single']}": "0"})
    assert missing.status_code == 422 and b"Answer this question." in missing.content and counts() == (0, 0)
    sent = client.post(
        f"/surveys/{survey.pk}", {f"q{ids['single']}": "2", f"q{ids['multi']}": ["0", "1"], f"q{ids['rating']}": "5"}
    )
    assert sent.status_code == 302 and sent["Location"] == "/surveys"
    assert counts() == (1, 4)
    assert b'data-testid="survey-banner"' not in client.get("/account").content
    assert b'data-testid="survey-answered"' in client.get(f"/surveys/{survey.pk}").content
    again = client.post(f"/surveys/{survey.pk}", {f"q{ids['single']}": "0", f"q{ids['rating']}": "1"})
    assert again.status_code == 302 and counts() == (1, 4)
    performer_page = client_for(make_user("performer")).get(f"/surveys/{survey.pk}")
    assert performer_page.status_code == 404


def test_staff_write_publish_read_and_close_in_the_console(make_user: Any) -> None:
    _admin, client = staff(make_user, "admin", mfa=True)
    now = timezone.now()
    created = client.post(
        "/staff/surveys/",
        {
            "title": "Performer tools",
            "audience": "performer",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    survey = Survey.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/staff/surveys/{survey.pk}/"
    added = client.post(
        f"/staff/surveys/{survey.pk}/",
        {"kind": "single", "prompt": "Best tool?", "options": "Tips\nShows\n", "required": "on"},
    )
    assert added.status_code == 302
    client.post(f"/staff/surveys/{survey.pk}/", {"kind": "text", "prompt": "Ideas?"})
    client.post(f"/staff/surveys/{survey.pk}/", {"kind": "rating", "prompt": "Gone soon"})
    gone = SurveyQuestion.objects.get(prompt="Gone soon")
    client.post(f"/staff/surveys/{survey.pk}/questions/{gone.pk}/remove")
    assert list(survey.questions.values_list("position", "kind", "options")) == [
        (1, "single", ["Tips", "Shows"]),
        (2, "text", []),
    ]
    assert client.post(f"/staff/surveys/{survey.pk}/publish").status_code == 302
    survey.refresh_from_db()
    assert survey.status == "published"
    ids = q(survey)
    for n, person in enumerate(people(21, "performer")):
        services.survey_answer(
            user=person, survey_id=survey.pk, answers={ids["single"]: n % 2, ids["text"]: f"idea {n}"}
        )
    page = client.get(f"/staff/surveys/{survey.pk}/")
    assert page.status_code == 200 and page.context["results"].responses == 21
    assert page.context["chart_data"] == {
        "questions": [{"id": int(ids["single"]), "kind": "single", "labels": ["Tips", "Shows"], "counts": [11, 10]}]
    }
    texts = page.context["results"].questions[1]
    assert texts.texts[0] == "idea 20" and len(texts.texts) == 20 and texts.text_pages == 2
    older = client.get(f"/staff/surveys/{survey.pk}/?page=2").context["results"].questions[1].texts
    assert older == ["idea 0"]
    assert client.post(f"/staff/surveys/{survey.pk}/close").status_code == 302
    survey.refresh_from_db()
    assert not survey_selectors.is_open(survey)
    actions = list(AuditEntry.objects.filter(action__startswith="analytics.survey").values_list("action", flat=True))
    assert actions == [
        "analytics.survey_create",
        "analytics.survey_question_add",
        "analytics.survey_question_add",
        "analytics.survey_question_add",
        "analytics.survey_question_remove",
        "analytics.survey_publish",
        "analytics.survey_close",
    ]


def test_export_and_erasure_keep_the_counts_and_drop_the_person(make_user: Any) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    ann = make_user("viewer")
    services.survey_answer(
        user=ann, survey_id=survey.pk, answers={ids["single"]: 2, ids["rating"]: 2, ids["text"]: "I am Ann"}
    )
    exported = export_analytics(ann)["survey_answers"]
    assert [(row["question"], row["answer"]) for row in exported] == [
        ("Which night suits you?", "Sunday"),
        ("How do you rate the site?", 2),
        ("Anything else?", "I am Ann"),
    ]
    result = erase_analytics(EraseContext(user=ann, tombstone="erased_x"))
    assert result.changed == 2  # the text blanked, the response unlinked
    assert SurveyResponse.objects.get().respondent_id is None
    assert export_analytics(ann)["survey_answers"] == []
    by_kind = {r.kind: r for r in survey_selectors.survey_results(survey).questions}
    assert by_kind["single"].counts == [0, 0, 1] and by_kind["rating"].counts == [0, 1, 0, 0, 0]
    assert by_kind["text"].texts == []
