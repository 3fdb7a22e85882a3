"""Lock-out tells nobody which accounts exist: a login that names no account fails, locks and
answers exactly like a real account with a wrong password, and both say how long the lock lasts."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.accounts.services import login as login_service
from stagedoor.conftest import TEST_PASSWORD
from stagedoor.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def attempt(login: str, password: str, ip: str = "203.0.113.7") -> tuple[int, str, str, list[str]]:
    """(status, code, message, extra keys) of one failed password login through the service."""
    with pytest.raises(ApplicationError) as caught:
        login_service.user_authenticate(login=login, password=password, ip=ip)
    exc = caught.value
    return exc.status, exc.code, exc.message, sorted(exc.extra)


Answer = tuple[int, str, str, list[str]]
INVALID: Answer = (401, "auth.invalid_credentials", "That login and password do not match.", [])
LOCKED_15: Answer = (
    423,
    "auth.locked",
    "Too many failed attempts; this account is locked. Try again in 15 minutes.",
    ["minutes", "until"],
)


@pytest.mark.parametrize("unknown", ["nobody_here", "ghost@example.test"])
def test_unknown_and_real_logins_fail_lock_and_answer_alike(make_user: Any, unknown: str) -> None:
    real = make_user(login="real_one")
    answers: dict[str, list[Answer]] = {"real": [], "unknown": []}
    for _ in range(6):  # the default LOGIN_MAX_FAILURES is 5
        answers["real"].append(attempt(real.login, "wrong-password"))
        answers["unknown"].append(attempt(unknown, "wrong-password"))
    assert answers["real"] == answers["unknown"] == [INVALID] * 4 + [LOCKED_15] * 2
    # while locked, even the right password is refused, with the same answer as for the unknown login
    assert attempt(real.login, TEST_PASSWORD) == attempt(unknown, TEST_PASSWORD) == LOCKED_15
    real.refresh_from_db()
    assert real.locked_until is not None and real.failed_logins == 0


def test_the_message_counts_down_the_time_left_for_both(make_user: Any) -> None:
    real = make_user(login="real_two")
    for _ in range(5):
        for name in (real.login, "not_a_user"):
            try:
                login_service.user_authenticate(login=name, password="nope-nope-nope", ip="203.0.113.8")
            except ApplicationError:
                pass
    # 14 minutes and a bit later (moved by hand: the lock's end is what the message is computed from)
    soon = timezone.now() + timedelta(minutes=13, seconds=20)
    User.objects.filter(pk=real.pk).update(locked_until=soon)
    key = login_service._unknown_key("not_a_user")
    cache.set(f"{key}:until", soon.timestamp(), timeout=900)
    expected = (423, "auth.locked", "Too many failed attempts; this account is locked. Try again in 14 minutes.")
    assert attempt(real.login, TEST_PASSWORD)[:3] == attempt("not_a_user", TEST_PASSWORD)[:3] == expected
    # one minute left is "1 minute"
    last = timezone.now() + timedelta(seconds=30)
    User.objects.filter(pk=real.pk).update(locked_until=last)
    cache.set(f"{key}:until", last.timestamp(), timeout=900)
    assert attempt(real.login, TEST_PASSWORD)[2] == attempt("not_a_user", TEST_PASSWORD)[2]
    assert attempt(real.login, TEST_PASSWORD)[2].endswith("Try again in 1 minute.")


def test_a_lock_ends_for_unknown_logins_as_for_real_ones(make_user: Any) -> None:
    real = make_user(login="real_three")
    for _ in range(5):
        for name in (real.login, "gone_user"):
            try:
                login_service.user_authenticate(login=name, password="nope-nope-nope", ip="203.0.113.9")
            except ApplicationError:
                pass
    User.objects.filter(pk=real.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    cache.delete(f"{login_service._unknown_key('gone_user')}:until")  # the cache entry's timeout
    assert attempt(real.login, "wrong-again") == attempt("gone_user", "wrong-again") == INVALID
    assert login_service.user_authenticate(login=real.login, password=TEST_PASSWORD, ip="203.0.113.9").pk == real.pk


def test_the_cache_keeps_no_login_in_clear() -> None:
    key = login_service._unknown_key("secret_name")
    assert "secret_name" not in key and key == login_service._unknown_key("secret_name")
    assert key != login_service._unknown_key("secret_nam3")


def api_login(client: Client, login: str, password: str) -> tuple[int, str, str]:
    response = client.post(
        "/api/v1/auth/login", data=json.dumps({"login": login, "password": password}), content_type="application/json"
    )
    body = response.json()
    return response.status_code, body["code"], body["message"]


def test_api_and_login_page_answer_alike_for_unknown_and_real_logins(make_user: Any) -> None:
    real = make_user(login="real_four")
    api_answers = {
        name: [api_login(Client(REMOTE_ADDR=f"198.51.100.{i}"), name, "wrong-password") for i in range(5)]
        for name in (real.login, "no_such_login")
    }
    assert api_answers[real.login] == api_answers["no_such_login"]
    assert [status for status, _, _ in api_answers[real.login]] == [401, 401, 401, 401, 423]
    assert api_answers[real.login][-1][2].endswith("Try again in 15 minutes.")
    # the login page shows the same refusal for both
    pages = {}
    for name in (real.login, "no_such_login"):
        client = Client()
        client.post(
            "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
        )
        response = client.post("/login", {"login": name, "password": "wrong-password"})
        pages[name] = (response.status_code, "Try again in 15 minutes." in response.content.decode())
    assert pages[real.login] == pages["no_such_login"] == (400, True)
