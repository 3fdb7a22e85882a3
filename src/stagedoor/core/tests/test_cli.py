"""The `stagedoor` command as an operator starts it: a separate process with its own environment."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

STAGEDOOR = str(Path(sys.executable).with_name("stagedoor"))


def child_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """A fresh embedded install: none of the developer's STAGEDOOR_* (no database or Redis URL)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("STAGEDOOR_")}
    return {**clean, "STAGEDOOR_VAR_DIR": str(var_dir), **{f"STAGEDOOR_{k}": v for k, v in extra.items()}}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def all_migrations() -> int:
    """How many migrations a fresh database needs (the child has the same INSTALLED_APPS)."""
    from django.db.migrations.loader import MigrationLoader

    return len(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def tables(database: Path) -> list[str]:
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


@pytest.mark.parametrize(
    ("command", "name", "value", "message"),
    [
        ("run", "RTMP_PORT", "abc", "STAGEDOOR_RTMP_PORT: expected an integer, got 'abc'"),
        ("web", "PORT", "99999", "STAGEDOOR_PORT: must be between 1 and 65535, got 99999"),
        ("ingest", "STREAM_GRACE_S", "-5", "STAGEDOOR_STREAM_GRACE_S: must be 0 or more (and finite), got '-5'"),
        ("chat", "VEROTEL_SHOP_ID", "shop", "STAGEDOOR_VEROTEL_SHOP_ID: expected a number, got 'shop'"),
        (
            "migrate",
            "WALLET_PERFORMER_SHARE_BP",
            "10001",
            "STAGEDOOR_WALLET_PERFORMER_SHARE_BP: must be between 0 and 10000, got 10001",
        ),
    ],
)
def test_a_wrong_value_stops_start_up_with_one_line(
    tmp_path: Path, command: str, name: str, value: str, message: str
) -> None:
    proc = subprocess.run(
        [STAGEDOOR, command],
        env=child_env(tmp_path, **{name: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == f"stagedoor: configuration error: {message}\n"
    assert not (tmp_path / "stagedoor.sqlite3").exists()


@pytest.mark.parametrize(
    ("command", "database_url"),
    [("web", False), ("ingest", False), ("chat", False), ("run", True)],
    ids=["web", "ingest", "chat", "run-on-a-configured-database"],
)
def test_serving_on_an_unmigrated_database_stops_with_what_to_run(
    tmp_path: Path, command: str, database_url: bool
) -> None:
    database = tmp_path / ("configured.sqlite3" if database_url else "stagedoor.sqlite3")
    extra = {"DATABASE_URL": f"sqlite:///{database}"} if database_url else {}
    proc = subprocess.run(
        [STAGEDOOR, command, *(["--port", str(free_port())] if command in {"web", "run"} else [])],
        env=child_env(tmp_path, RTMP_PORT=str(free_port()), CHAT_PORT=str(free_port()), **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        f"stagedoor: the database is not migrated ({all_migrations()} migrations pending): run `stagedoor migrate`\n"
    )
    assert tables(database) == []  # nothing was migrated


def test_first_run_migrates_the_embedded_database_and_serves(tmp_path: Path) -> None:
    port = free_port()
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [STAGEDOOR, "run", "--port", str(port)],
            env=child_env(tmp_path, RTMP_PORT=str(free_port()), CHAT_PORT=str(free_port()), DEMO_PERFORMER=""),
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        status = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"exited with {proc.returncode}: {err.read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    status = response.status
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        assert status == 200, f"/healthz did not answer within 120 s: {err.read_text()[-2000:]}"
        try:  # a page that reads the database: the tables are there
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                page_status = response.status
        except urllib.error.HTTPError as exc:
            page_status = exc.code
        assert page_status < 500
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    n = all_migrations()
    assert out.read_text().splitlines() == [
        f"stagedoor: the database is not migrated: applying {n} migrations (`stagedoor migrate`)",
        f"Stagedoor (all-in-one) serving on http://127.0.0.1:{port}",
    ]
    assert "Traceback" not in err.read_text() and "Traceback" not in out.read_text()
    with sqlite3.connect(tmp_path / "stagedoor.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM django_migrations").fetchone() == (n,)
