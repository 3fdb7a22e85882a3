"""Test fixtures shared by every app: users of every role, API clients, mail, Redis."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pyotp
import pytest
from django.test import Client

TEST_PASSWORD = "correct-horse-battery-9"  # noqa: S105 - invented test credential


@pytest.fixture(autouse=True)
def _immediate_jobs(settings: Any) -> None:
    """Run jobs in the caller's thread after commit so tests are deterministic.

    The thread and Celery backends have their own tests in core/tests/test_jobs.py.
    """
    settings.STAGEDOOR_JOBS_BACKEND = "immediate"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    from stagedoor.accounts.models import User

    counter = {"n": 0}

    def make(role: str = "viewer", *, login: str | None = None, mfa: bool | None = None, **extra: Any) -> Any:
        counter["n"] += 1
        login = login or f"{role}{counter['n']}"
        user = User.objects.create_user(login, f"{login}@example.test", TEST_PASSWORD, role=role, **extra)
        if mfa if mfa is not None else user.mfa_required:
            user.totp_secret = pyotp.random_base32()
            user.mfa_enabled = True
            user.save(update_fields=["totp_secret", "mfa_enabled"])
        return user

    return make


def totp_now(user: Any) -> str:
    return pyotp.TOTP(user.totp_secret).now()


@pytest.fixture
def api_client() -> Callable[..., Client]:
    """A client that is signed in as `user` (session) and sends JSON; CSRF enforced like a browser."""

    def make(user: Any = None, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("STAGEDOOR_TEST_REDIS_URL") or os.environ.get("STAGEDOOR_REDIS_URL")
    if not url:
        import redis

        url = "redis://127.0.0.1:6379/15"
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        except redis.RedisError:
            pytest.skip("no Redis reachable (set STAGEDOOR_TEST_REDIS_URL)")
    return url


CHROMIUM = os.environ.get("STAGEDOOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (headless).

    Module-scoped: Playwright's sync API keeps an event loop running in this thread while
    it is open, which would break `asyncio.run` in tests of other modules.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs it when run as root)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls tests make
    # between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    yield pg
    context.close()
