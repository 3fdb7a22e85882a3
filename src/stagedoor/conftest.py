"""Test fixtures shared by every app: users of every role, API clients, mail, Redis."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any, Literal, NoReturn
from urllib.parse import urlparse

import pyotp
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client

TEST_PASSWORD = "correct-horse-battery-9"  # noqa: S105 - invented test credential


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, as in production, with the cost turned down for tests.

    Production hashes with 100 MiB and two passes (settings.PASSWORD_HASHERS), a deliberate tenth of a second or
    more per password; the suite makes and signs in thousands of accounts, so at that cost it spends most of its
    time in the hash. Same algorithm and encoding (`argon2$argon2id$…`), so every check of the stored form holds.
    Processes a test starts (`stagedoor web` in the browser and bench tests) keep the production cost."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    from django.conf import settings
    from django.test.utils import override_settings

    cheap_first = ["stagedoor.conftest.TestArgon2PasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=cheap_first):
        yield


@pytest.fixture(scope="session", autouse=True)
def _postgres_flush_by_delete() -> Iterator[None]:
    """On PostgreSQL, empty the tables after a transactional test with DELETE instead of TRUNCATE.

    Django's flush TRUNCATEs every table, which on PostgreSQL makes new files for each of ~150 tables: over a
    second per transactional test. The tables a test used hold a few rows, and every foreign key Django creates
    there is DEFERRABLE INITIALLY DEFERRED, so DELETEs in one transaction (flush runs in one), in any order, leave
    the same empty database in milliseconds. Sequences are not reset, as in Django's default flush for tests."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(
        self: Any, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences:
            return original(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


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
    from django.contrib.auth import get_user_model

    User = get_user_model()  # accounts.User, without the import core's tests may not make
    counter = {"n": 0}

    def make(
        role: str = "viewer", *, login: str | None = None, mfa: bool | None = None, verified: bool = True, **extra: Any
    ) -> Any:
        counter["n"] += 1
        login = login or f"{role}{counter['n']}"
        user = User.objects.create_user(login, f"{login}@example.test", TEST_PASSWORD, role=role, **extra)
        if mfa if mfa is not None else user.mfa_required:
            user.totp_secret = pyotp.random_base32()
            user.mfa_enabled = True
            user.save(update_fields=["totp_secret", "mfa_enabled"])
        if role == "performer" and verified:
            # performers may go live and be paid only with an approved identity (verification's gates);
            # `verified=False` makes one without
            from stagedoor.verification.testing import give_approved_identity

            give_approved_identity(user)
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
def ticket_for(api_client: Callable[..., Client]) -> Callable[[Any, Any], dict[str, Any]]:
    """`ticket_for(user, room)`: the chat ticket the room page would get for `user` (None: anonymous)."""

    def fetch(user: Any, room: Any) -> dict[str, Any]:
        resp = api_client(user).post(f"/api/v1/chat/rooms/{room.slug}/ticket", content_type="application/json")
        assert resp.status_code == 200, resp.content
        assert resp["Cache-Control"] == "no-store"
        ticket: dict[str, Any] = resp.json()
        return ticket

    return fetch


# --- what a test needs that this machine may lack ------------------------------------------
# Every "skip because X is missing" goes through `skip_or_fail`, so the rule lives here:
#   * outside CI a missing tool, server or database skips the test (the reason shows with -ra);
#   * under CI (CI=true) a missing tool (Chromium, nginx, ffmpeg/ffprobe, GStreamer) FAILS,
#     because `make test` installs them;
#   * PostgreSQL and Redis fail under CI only when the run promised them: STAGEDOOR_DATABASE_URL
#     is a postgres:// URL, or a Redis URL is set (CI's second pass); CI's first, SQLite pass
#     skips them by design.

Need = Literal["tool", "postgres", "redis"]

# how `make test` (scripts/bootstrap.sh --test, as root) gets each tool: Debian packages
TOOL_PACKAGES = {
    "chromium": "chromium",
    "nginx": "nginx-light",
    "ffmpeg": "ffmpeg",
    "ffprobe": "ffmpeg",
    "gst-launch-1.0": "gstreamer1.0-tools gstreamer1.0-plugins-{base,good,bad,ugly} gstreamer1.0-libav",
}
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def running_in_ci() -> bool:
    return os.environ.get("CI") == "true"


def configured_redis_url() -> str | None:
    return os.environ.get("STAGEDOOR_TEST_REDIS_URL") or os.environ.get("STAGEDOOR_REDIS_URL") or None


def postgres_configured() -> bool:
    return urlparse(os.environ.get("STAGEDOOR_DATABASE_URL", "")).scheme in POSTGRES_SCHEMES


def ci_requires(need: Need) -> bool:
    """Whether this run promised `need`, so that its absence must fail the test rather than skip it."""
    if not running_in_ci():
        return False
    if need == "postgres":
        return postgres_configured()
    if need == "redis":
        return configured_redis_url() is not None
    return True


def skip_or_fail(reason: str, *, need: Need, fix: str = "") -> NoReturn:
    """Skip the calling test for `reason`, or fail it if CI promised what is missing (see above)."""
    __tracebackhide__ = True  # report the caller's line, not this one
    if ci_requires(need):
        promise = {
            "tool": "CI=true",
            "postgres": "CI=true and STAGEDOOR_DATABASE_URL is a PostgreSQL URL",
            "redis": "CI=true and a Redis URL is set",
        }[need]
        pytest.fail(f"{reason}. {promise}, so this must not be skipped.{' ' + fix if fix else ''}", pytrace=False)
    pytest.skip(reason)


def require_tool(name: str, *, path: str | None = None, install_hint: str | None = None) -> str:
    """The full path of the system tool `name` (a command, or a path to one); skip_or_fail if missing."""
    __tracebackhide__ = True
    found = shutil.which(name, path=path)
    if found is None:
        package = install_hint or TOOL_PACKAGES.get(os.path.basename(name), os.path.basename(name))
        where = f" (looked in {path})" if path else ""
        skip_or_fail(
            f"{name} is not installed{where}",
            need="tool",
            fix=f"`make test` installs it: scripts/bootstrap.sh --test runs `apt-get install {package}` as root.",
        )
    return found


def reachable_redis_url() -> str:
    """The configured Redis (STAGEDOOR_TEST_REDIS_URL, then STAGEDOOR_REDIS_URL) or a local default, if it answers."""
    __tracebackhide__ = True
    import redis

    url = configured_redis_url() or DEFAULT_TEST_REDIS_URL
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=1) as client:
            client.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"no Redis reachable at {url} ({exc}); set STAGEDOOR_TEST_REDIS_URL", need="redis")
    return url


@pytest.fixture
def redis_url() -> str:
    return reachable_redis_url()


def free_tcp_port() -> int:
    """A TCP port nothing listens on now (the OS picks it): for a server a test starts, so that two test runs on one
    machine (CI's SQLite and PostgreSQL passes run side by side) never want the same port."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def udp_port_range(size: int = 1000) -> tuple[int, int]:
    """A UDP port range of `size` for this test process (media servers bind their RTP ports there), picked by the
    process id so that concurrent test runs use different ranges."""
    slot = os.getpid() % (30_000 // size)
    first = 30_000 + slot * size
    return first, first + size - 1


def race(
    calls: list[Callable[[], Any]], *, catch: type[BaseException] | tuple[type[BaseException], ...] = Exception
) -> list[Any]:
    """Run `calls` in threads released at the same moment (PostgreSQL race tests): each one's result, or the
    exception of a `catch` type it raised. Each thread closes its database connection when done."""
    import threading

    from django.db import close_old_connections

    gate = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            gate.wait(10)
            results[i] = call()
        except catch as exc:
            results[i] = exc
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a racing call did not finish within 60 s"
    return results


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
    require_tool(CHROMIUM, install_hint="chromium")  # or point STAGEDOOR_CHROMIUM at one
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


@pytest.fixture
def chat_gateway(settings: Any) -> Iterator[Any]:
    """The chat gateway beside the live server, as `stagedoor run` embeds it: room pages connect to it."""
    from stagedoor.chat.tests.test_browser import GatewayThread

    gateway = GatewayThread()
    gateway.start()
    assert gateway.ready.wait(10)
    settings.STAGEDOOR_CHAT_URL = f"ws://127.0.0.1:{gateway.port}/"
    try:
        yield gateway
    finally:
        gateway.stop()


BROWSER_FIXTURES = frozenset({"browser", "page", "media_browser"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that drives Chromium is a `browser` test whether or not it says so (CI's PostgreSQL pass leaves them
    to the SQLite pass: `-m "not browser"`)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
