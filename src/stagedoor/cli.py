"""The `stagedoor` command.

Process commands (`run`, `web`, `worker`, `beat`) are handled here; everything else is a
Django management command (`migrate`, `demo`, `createstaff`, `audit verify`, `chat`, …), so each
app adds its own commands under `<app>/management/commands/`.

Every command loads the configuration first: a wrong setting stops it with one line naming the
variable. Every serving process (`run`, `web`, `ingest`, `worker`, `chat`) then checks that the
database is migrated (`run` on the embedded SQLite database migrates it itself) and that every
encryption key id stored rows may name is configured (`core.keys`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from stagedoor.core.config import Config

PROCESS_COMMANDS = {"run", "web", "ingest", "worker", "beat"}


def _fail(message: str) -> NoReturn:
    print(f"stagedoor: {message}", file=sys.stderr)
    raise SystemExit(2)


def _load_config() -> Config:
    from stagedoor.core.config import ConfigError, load, use_stagedoor_settings

    use_stagedoor_settings()

    try:
        return load()
    except ConfigError as exc:
        _fail(f"configuration error: {exc}")


def _setup(config: Config, *, check_services: bool) -> None:
    from stagedoor.core.config import ConfigError, check_reachable

    if check_services:
        try:
            check_reachable(config)
        except ConfigError as exc:
            _fail(f"configuration error: {exc}")
    import django

    django.setup()


def _require_schema(command: str, config: Config) -> None:
    """Stop a serving process on a database that is not migrated, with one line saying what to run;
    the all-in-one `run` on the embedded SQLite database (no STAGEDOOR_DATABASE_URL) migrates it."""
    from stagedoor.core.schema import SchemaNotMigrated, ensure_migrated

    try:
        ensure_migrated(
            may_apply=command == "run" and config.database_url is None,
            announce=lambda line: print(f"stagedoor: {line}", flush=True),
        )
    except SchemaNotMigrated as exc:
        _fail(str(exc))
    from django.db import connections

    try:
        _require_keys()
    finally:
        connections.close_all()  # the process's threads open their own


def _require_keys() -> None:
    """Stop when stored rows may name a key-encryption key that is not configured (`core.keys`): every read of
    them would fail later, one request at a time."""
    from stagedoor.core.keys import KeysMissing, check_keys_in_use

    try:
        check_keys_in_use()
    except KeysMissing as exc:
        _fail(str(exc))


def _process(argv: list[str]) -> None:
    command = argv[0]
    config = _load_config()
    parser = argparse.ArgumentParser(prog=f"stagedoor {command}")
    parser.add_argument("--host", default=config.server.host)
    parser.add_argument("--port", type=int, default=config.server.port)
    parser.add_argument("--concurrency", type=int, default=2, help="worker: Celery processes")
    args = parser.parse_args(argv[1:])
    _setup(config, check_services=True)
    from django.conf import settings

    if command in {"run", "web", "ingest"}:
        _require_schema(command, config)
    if command in {"run", "web"}:
        import asyncio

        from stagedoor.core.runtime import serve

        embedded = command == "run"
        if embedded and settings.STAGEDOOR_JOBS_BACKEND == "celery":
            print(
                "stagedoor: STAGEDOOR_REDIS_URL is set; jobs go to Celery — also start `stagedoor worker`.",
                file=sys.stderr,
            )
        print(f"Stagedoor {'(all-in-one) ' if embedded else ''}serving on http://{args.host}:{args.port}", flush=True)
        asyncio.run(serve(args.host, args.port, embedded=embedded))
    elif command == "ingest":
        import asyncio

        from stagedoor.core.runtime import run_services

        print("Stagedoor ingest: RTMP on port", config.streaming.rtmp_port, flush=True)
        asyncio.run(run_services(["stagedoor.streaming.runtime.ingest_service"]))
    elif command == "worker":
        if settings.STAGEDOOR_JOBS_BACKEND != "celery":
            _fail(
                "`stagedoor worker` runs Celery and needs STAGEDOOR_REDIS_URL; "
                "the embedded default runs jobs inside `stagedoor run`."
            )
        _require_schema(command, config)
        from stagedoor.core.celery import app

        app.worker_main(["worker", "--loglevel", "INFO", "--concurrency", str(args.concurrency), "-Q", "default"])
    elif command == "beat":
        if settings.STAGEDOOR_JOBS_BACKEND != "celery":
            _fail("`stagedoor beat` needs STAGEDOOR_REDIS_URL.")
        from stagedoor.core.celery import app

        app.start(["beat", "--loglevel", "INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PROCESS_COMMANDS:
        _process(argv)
        return
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(
            "usage: stagedoor COMMAND [options]\n\n"
            "processes:  run (web + ingest + jobs in one process), web, ingest, worker, beat\n"
            "operations: migrate, demo, createstaff, audit verify, openapi, and every Django management command\n"
            "deployment: deploy nginx (the site-wide nginx config, docs/deploy.md)\n"
        )
        if not argv:
            raise SystemExit(2)
        return
    if argv[0] == "deploy":  # deployment files from the settings alone: no Django, no database
        from stagedoor.deploy.command import main as deploy_main

        deploy_main(argv[1:], _load_config())
        return
    config = _load_config()
    _setup(config, check_services=argv[0] in {"migrate", "demo", "createstaff", "chat"})
    if argv[0] == "chat" and not {"-h", "--help"} & set(argv[1:]):
        _require_schema("chat", config)  # the gateway process (chat/management/commands/chat.py)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["stagedoor", *argv])


if __name__ == "__main__":
    main()
