"""The one rule for missing tools and servers: skip locally, fail under CI when CI was promised them."""

from __future__ import annotations

import sys

import pytest

from stagedoor.conftest import Need, reachable_redis_url, require_tool, skip_or_fail

MISSING = "stagedoor-no-such-tool"
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CI", "STAGEDOOR_DATABASE_URL", "STAGEDOOR_REDIS_URL", "STAGEDOOR_TEST_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def ci(outside_ci: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")


@pytest.mark.parametrize("need", ["tool", "postgres", "redis"])
@pytest.mark.parametrize("ci_value", [None, "", "false", "1"])
def test_outside_ci_everything_skips(
    outside_ci: None, monkeypatch: pytest.MonkeyPatch, need: Need, ci_value: str | None
) -> None:
    if ci_value is not None:
        monkeypatch.setenv("CI", ci_value)
    monkeypatch.setenv("STAGEDOOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stagedoor_ci")
    monkeypatch.setenv("STAGEDOOR_REDIS_URL", DEAD_REDIS)
    with pytest.raises(pytest.skip.Exception, match=r"^something is missing$"):
        skip_or_fail("something is missing", need=need)


def test_under_ci_a_missing_tool_fails_naming_it_and_how_make_test_installs_it(ci: None) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        require_tool("nginx", path="/nonexistent")
    message = str(failed.value)
    assert message.startswith("nginx is not installed (looked in /nonexistent). CI=true, so this must not be skipped.")
    assert "`make test` installs it" in message and "apt-get install nginx-light" in message
    with pytest.raises(pytest.fail.Exception, match=rf"^{MISSING} is not installed\. .*apt-get install {MISSING}`"):
        require_tool(MISSING)


def test_outside_ci_a_missing_tool_skips(outside_ci: None) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"^nginx is not installed \(looked in /nonexistent\)$"):
        require_tool("nginx", path="/nonexistent")


@pytest.mark.usefixtures("ci")
def test_a_present_tool_is_returned_by_its_full_path() -> None:
    assert require_tool(sys.executable) == sys.executable


@pytest.mark.usefixtures("ci")
@pytest.mark.parametrize("need", ["postgres", "redis"])
def test_under_ci_servers_skip_on_the_pass_that_did_not_ask_for_them(need: Need) -> None:
    # CI's first pass: SQLite and no Redis URL, by design
    with pytest.raises(pytest.skip.Exception, match=r"^needs it$"):
        skip_or_fail("needs it", need=need)


@pytest.mark.usefixtures("ci")
@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1/db", "postgresql://h/db", "pgsql://h/db"])
def test_under_ci_with_a_postgres_url_a_postgres_test_fails(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("STAGEDOOR_DATABASE_URL", url)
    with pytest.raises(pytest.fail.Exception, match=r"STAGEDOOR_DATABASE_URL is a PostgreSQL URL"):
        skip_or_fail("needs PostgreSQL", need="postgres")


@pytest.mark.usefixtures("ci")
def test_under_ci_with_a_sqlite_url_a_postgres_test_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGEDOOR_DATABASE_URL", "sqlite:///tmp/x.sqlite3")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("needs PostgreSQL", need="postgres")


@pytest.mark.usefixtures("ci")
@pytest.mark.parametrize("variable", ["STAGEDOOR_REDIS_URL", "STAGEDOOR_TEST_REDIS_URL"])
def test_under_ci_a_set_but_unreachable_redis_fails(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, DEAD_REDIS)
    with pytest.raises(pytest.fail.Exception, match=rf"^no Redis reachable at {DEAD_REDIS} .*a Redis URL is set"):
        reachable_redis_url()


def test_outside_ci_a_set_but_unreachable_redis_skips(outside_ci: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAGEDOOR_REDIS_URL", DEAD_REDIS)
    with pytest.raises(pytest.skip.Exception, match=rf"^no Redis reachable at {DEAD_REDIS} "):
        reachable_redis_url()
