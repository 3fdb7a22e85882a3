"""The whole API fuzzed from its OpenAPI schema (Schemathesis), as anonymous, a viewer, a performer and each staff role:
no 500, every response matches its schema, and no caller without staff rights sees another user's data.

Bounded for CI: a few generated examples per operation, each sent as every caller, through the WSGI app in-process.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, Phase

from stagedoor.accounts.models import User
from stagedoor.accounts.ratelimit import DEFAULT_RULES
from stagedoor.accounts.roles import STAFF_ROLES, Role

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 2
OTHER_EMAIL = "zyx-other@example.test"  # the data no non-staff caller may see
OTHER_TOKEN_NAME = "zyx-private-token"


def _user(role: str, n: int) -> User:
    user = User(login=f"fuzz_{role}_{n}"[:30], email=f"fuzz{n}@example.test", role=role)
    user.set_unusable_password()
    if user.mfa_required:
        user.mfa_enabled, user.totp_secret = True, "JBSWY3DPEHPK3PXP"
    user.save()
    return user


def _callers() -> list[tuple[str, dict[str, str]]]:
    from stagedoor.accounts.services import api_token_create

    other = _user(Role.VIEWER, 999)
    other.email, other.display_name = OTHER_EMAIL, "Zyx Other"
    other.save(update_fields=["email", "display_name"])
    api_token_create(user=other, name=OTHER_TOKEN_NAME)
    callers: list[tuple[str, dict[str, str]]] = [("anonymous", {})]
    for n, role in enumerate(Role):
        _, token = api_token_create(user=_user(role.value, n), name="fuzz")
        callers.append((role.value, {"Authorization": f"Bearer {token}"}))
    return callers


@pytest.fixture
def wsgi_keeps_the_test_connection() -> Any:
    """As Django's test client does: the WSGI handler must not close the test's database connection per request."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation_as_every_caller(settings: Any, wsgi_keeps_the_test_connection: Any) -> None:
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Err
    from schemathesis.specs.openapi.checks import response_schema_conformance

    settings.STAGEDOOR_RATE_LIMITS = ",".join(f"{r.name}=off" for r in DEFAULT_RULES)  # fuzz the endpoints
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    callers = _callers()
    problems: list[str] = []
    operations = 0
    answered: dict[int, int] = {}  # status → responses, to show the run reached the endpoints
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            problems.append(f"the schema has an operation Schemathesis cannot read: {result.err()}")
            continue
        operation = result.ok()
        operations += 1

        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy())
        def check(case: Any) -> None:
            for who, headers in callers:
                response = case.call(headers=headers)
                answered[response.status_code] = answered.get(response.status_code, 0) + 1
                where = f"{case.method} {case.formatted_path} as {who}"
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
                except (AssertionError, BaseExceptionGroup) as exc:  # collect every failure, report them together
                    problems.append(f"{where}: {' '.join(str(exc).split())[:300]}")
                if who not in STAFF_ROLES and (OTHER_EMAIL in response.text or OTHER_TOKEN_NAME in response.text):
                    problems.append(f"{where}: another user's data in the response")

        check()
    assert operations > 100
    assert sum(answered.values()) >= operations * len(callers)
    assert sum(n for status, n in answered.items() if status < 300) > operations  # not only refusals
    assert problems == [], "\n".join(problems[:50])
