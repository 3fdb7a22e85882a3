"""The `stagedoor` command.

Process commands (`run`, `web`, `worker`, `beat`) are handled here; everything else is a
Django management command (`migrate`, `demo`, `createstaff`, `audit verify`, …), so each
app adds its own commands under `<app>/management/commands/`.
"""

from __future__ import annotations

import argparse
import os
import sys

PROCESS_COMMANDS = {"run", "web", "ingest", "worker", "beat"}


def _fail(message: str) -> None:
    print(f"stagedoor: {message}", file=sys.stderr)
    raise SystemExit(2)


def _setup(*, check_services: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stagedoor.settings")
    from stagedoor.core.config import ConfigError, check_reachable, load

    try:
        config = load()
        if check_services:
            check_reachable(config)
    except ConfigError as exc:
        _fail(f"configuration error: {exc}")
    import django

    django.setup()


def _process(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog=f"stagedoor {argv[0]}")
    parser.add_argument("--host", default=os.environ.get("STAGEDOOR_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("STAGEDOOR_PORT", "8000")))
    parser.add_argument("--concurrency", type=int, default=2, help="worker: Celery processes")
    args = parser.parse_args(argv[1:])
    command = argv[0]
    _setup(check_services=True)
    from django.conf import settings

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

        print("Stagedoor ingest: RTMP on port", os.environ.get("STAGEDOOR_RTMP_PORT", "1935"), flush=True)
        asyncio.run(run_services(["stagedoor.streaming.runtime.ingest_service"]))
    elif command == "worker":
        if settings.STAGEDOOR_JOBS_BACKEND != "celery":
            _fail(
                "`stagedoor worker` runs Celery and needs STAGEDOOR_REDIS_URL; "
                "the embedded default runs jobs inside `stagedoor run`."
            )
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
        )
        if not argv:
            raise SystemExit(2)
        return
    _setup(check_services=argv[0] in {"migrate", "demo", "createstaff"})
    from django.core.management import execute_from_command_line

    execute_from_command_line(["stagedoor", *argv])


if __name__ == "__main__":
    main()
