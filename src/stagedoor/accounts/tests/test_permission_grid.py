"""Every API endpoint × every role (and anonymous): allowed exactly where the grid says.

Each app lists its endpoints in `stagedoor/<app>/tests/grid.py` (`GRID`); an endpoint in
the OpenAPI schema with no row fails this test, so no endpoint ships unchecked.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import pytest
from django.test import Client

import stagedoor
from stagedoor.accounts.roles import Role, role_has

DENIED_CODES = {"auth.required", "auth.forbidden", "auth.mfa_required"}
PLACEHOLDER_ID = "01AAAAAAAAAAAAAAAAAAAAAAAA"
SUBJECTS = ["anonymous", *[r.value for r in Role]]


def load_grid() -> dict[tuple[str, str], str]:
    grid: dict[tuple[str, str], str] = {}
    for module in pkgutil.iter_modules(stagedoor.__path__):
        try:
            found = importlib.import_module(f"stagedoor.{module.name}.tests.grid")
        except ModuleNotFoundError:
            continue
        overlap = set(grid) & set(found.GRID)
        assert not overlap, f"endpoints listed twice: {overlap}"
        grid.update(found.GRID)
    return grid


def schema_operations() -> list[tuple[str, str]]:
    from stagedoor.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append((method.upper(), path))
    return sorted(ops)


def expected_allowed(access: str, subject: str) -> bool:
    if access == "anon":
        return True
    if subject == "anonymous":
        return False
    if access == "auth":
        return True
    if access.startswith("role:"):
        return subject in access[5:].split(",")
    return role_has(subject, access)


def test_every_endpoint_has_a_grid_row() -> None:
    grid = load_grid()
    missing = [op for op in schema_operations() if op not in grid]
    stale = [op for op in grid if op not in set(schema_operations())]
    assert missing == [], f"add these endpoints to a tests/grid.py: {missing}"
    assert stale == [], f"grid rows for endpoints that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("subject", SUBJECTS)
def test_permission_grid(subject: str, make_user: Any) -> None:
    grid = load_grid()
    client = Client()
    user = None if subject == "anonymous" else make_user(subject, mfa=True)
    wrong: list[str] = []
    for method, path in schema_operations():
        if user is not None:
            client.force_login(user)  # again each time: one of the endpoints is logout
        url = re.sub(r"\{[^}]+\}", PLACEHOLDER_ID, path)
        response = client.generic(method, url, data="{}", content_type="application/json")
        body = (
            response.json()
            if response.get("Content-Type", "").startswith("application/json") and response.content
            else None
        )
        code = body.get("code") if isinstance(body, dict) else None
        denied = response.status_code in (401, 403) and code in DENIED_CODES
        allowed = expected_allowed(grid[(method, path)], subject)
        if allowed == denied:
            wrong.append(
                f"{method} {path}: expected {'allowed' if allowed else 'denied'}, got {response.status_code} {code}"
            )
        if not allowed and subject == "anonymous":
            assert response.status_code == 401, f"{method} {path} should be 401 for anonymous"
    assert wrong == [], "\n".join(wrong)
