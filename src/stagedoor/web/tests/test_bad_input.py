"""Bad input at every endpoint and form gets a clear error with a code, and changes nothing."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from stagedoor.accounts.roles import Role
from stagedoor.accounts.tests.test_permission_grid import expected_allowed, load_grid

pytestmark = pytest.mark.django_db

PLACEHOLDER_ID = "01AAAAAAAAAAAAAAAAAAAAAAAA"
BAD_BODIES = [
    ("malformed json", "{not json"),
    ("wrong shape", json.dumps([1, 2, 3])),
    (
        "wrong types",
        json.dumps(
            {
                "email": [1],
                "login": {"a": 1},
                "password": None,
                "code": 5,
                "name": [],
                "regions": "x",
                "tags": 7,
                "title": ["t"],
                "approve": "maybe",
                "role": 1,
            }
        ),
    ),
    (
        "huge field",
        json.dumps({"email": "a" * 300_000, "login": "b" * 300_000, "name": "c" * 300_000, "code": "1" * 300_000}),
    ),
    (
        "nul bytes",
        json.dumps({"email": "a\u0000@example.test", "login": "x\u0000y", "password": "p\u0000" * 8, "name": "\u0000"}),
    ),
]


def fingerprint() -> dict[str, int]:
    """Row counts of every table, except the session store (a visit may start a session)."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label not in {"sessions.Session"} and not m._meta.proxy
    }


# Processors' callbacks answer in the processor's own format (plain text), not ours.
PROCESSOR_CALLBACKS = {("POST", "/api/v1/payments/postback/{provider}")}


def body_operations() -> dict[tuple[str, str], list[str]]:
    """Operations that take a JSON body, with the body's required fields."""
    from stagedoor.api import api

    schema = api.get_openapi_schema()
    found: dict[tuple[str, str], list[str]] = {}
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            ref = body["schema"].get("$ref", "")
            target = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], body["schema"])
            found[(method.upper(), path)] = list(target.get("required", []))
    return found


def subject_for(access: str) -> str | None:
    if access == "anon":
        return None
    for role in [r.value for r in Role]:
        if expected_allowed(access, role):
            return role
    raise AssertionError(f"no role may call {access}")


def test_every_endpoint_rejects_bad_bodies_cleanly(make_user: Any) -> None:
    grid = load_grid()
    users: dict[str, Any] = {}
    bodies = body_operations()
    with_body = sorted(bodies)
    assert len(with_body) >= 15
    problems: list[str] = []
    for method, path in with_body:
        role = subject_for(grid[(method, path)])
        client = Client()
        if role is not None:
            if role not in users:
                users[role] = make_user(role, login=f"bad_{role}")
            client.force_login(users[role])
        url = re.sub(r"\{[^}]+\}", PLACEHOLDER_ID, path)
        for label, body in BAD_BODIES:
            if label == "huge field" and not bodies[(method, path)]:
                continue  # no required fields: unknown keys are ignored, which is fine
            before = fingerprint()
            response = client.generic(method, url, data=body, content_type="application/json")
            after = fingerprint()
            where = f"{method} {path} [{label}]"
            if response.status_code >= 500 or response.status_code < 400:
                # Anonymous sign-up style endpoints must refuse these bodies too.
                problems.append(f"{where}: status {response.status_code}")
                continue
            if (method, path) in PROCESSOR_CALLBACKS:
                if before != after:
                    problems.append(f"{where}: database changed")
                continue
            if not response.get("Content-Type", "").startswith("application/json"):
                problems.append(
                    f"{where}: {response.status_code} {response.get('Content-Type')} {response.content[:200]!r}"
                )
                continue
            payload = response.json()
            if set(payload) != {"code", "message", "extra"} or not payload["code"]:
                problems.append(f"{where}: error shape {payload}")
            if before != after:
                changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
                problems.append(f"{where}: database changed {changed}")
    assert problems == [], "\n".join(problems)


PAGE_FORMS = [
    ("/signup", None, {"email": "nope", "login": "A B", "password": "1"}),
    ("/login", None, {"login": "", "password": ""}),
    ("/login", None, {"login": "x" * 5000, "password": "y"}),
    ("/enter", None, {"age_confirmed": "", "terms_accepted": "on"}),
    ("/password/reset", None, {"email": "not-an-email"}),
    ("/account/tokens", "viewer", {"name": ""}),
    ("/verify/apply", "viewer", {"stage_name": "", "date_of_birth": "2015-02-30", "country": "Narnia"}),
    ("/account/recovery-codes", "performer", {"code": "000000"}),
    ("/account/2fa/setup", "viewer", {"code": "abc"}),
    ("/studio", "performer", {"title": "t" * 500, "tags": "bad tag!", "blocked_regions": "??"}),
]


@pytest.mark.parametrize(("path", "role", "data"), PAGE_FORMS)
def test_every_form_rejects_bad_input_and_changes_nothing(
    path: str, role: str | None, data: dict[str, str], make_user: Any
) -> None:
    client = Client()
    client.post(
        "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
    )
    if role:
        client.force_login(make_user(role))
    if path == "/studio":
        client.get("/studio")  # the room exists before the bad save
    if path == "/account/2fa/setup":
        client.get(path)  # begins set-up (stores a pending secret)
    before = fingerprint()
    response = client.post(path, data)
    assert response.status_code in (302, 400), response.status_code
    assert fingerprint() == before
    if response.status_code == 302:  # small forms on the account page report through messages
        follow = client.get(response["Location"])
        assert 'class="flash flash-error"' in follow.content.decode()
    else:
        html = response.content.decode()
        assert 'class="error"' in html or 'data-testid="form-error"' in html
