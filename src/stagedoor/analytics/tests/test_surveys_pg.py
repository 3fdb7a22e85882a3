"""On PostgreSQL: one person answering the same survey twice at once (two tabs, a double submit). Both pass the
friendly "already answered?" check; the unique constraint refuses the second insert, whose transaction (response
and answers) rolls back: one response, its answers counted once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection

from stagedoor.analytics import errors, services
from stagedoor.analytics.models import SurveyAnswer, SurveyResponse
from stagedoor.analytics.selectors import surveys as survey_selectors
from stagedoor.analytics.tests.test_surveys import make_survey, q
from stagedoor.conftest import skip_or_fail

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set STAGEDOOR_DATABASE_URL=postgres://…", need="postgres")


def test_the_same_answer_sent_twice_at_once_is_counted_once(make_user: Any) -> None:
    survey, _ = make_survey(make_user)
    ids = q(survey)
    ann = make_user("viewer")
    answers = {ids["single"]: 1, ids["multi"]: [0, 2], ids["rating"]: 5}
    gate = threading.Barrier(4)
    outcomes: list[str] = []

    def answer() -> None:
        try:
            gate.wait(10)
            services.survey_answer(user=ann, survey_id=survey.pk, answers=answers)
            outcomes.append("saved")
        except errors.SurveyAlreadyAnswered:
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["refused", "refused", "refused", "saved"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyAnswer.objects.count() == 4  # one single, two multi, one rating
    by_kind = {r.kind: r for r in survey_selectors.survey_results(survey).questions}
    assert by_kind["single"].counts == [0, 1, 0] and by_kind["multi"].counts == [1, 0, 1]
    assert by_kind["rating"].counts == [0, 0, 0, 0, 1]
