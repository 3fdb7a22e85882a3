"""The production job path: outbox → Celery on Redis → `stagedoor worker` process → database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TypedDict

import pytest
from django.db import connection

from stagedoor.conftest import skip_or_fail
from stagedoor.core.models import OutboxEvent
from stagedoor.core.outbox import Topic, outbox_publish

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


class Counted(TypedDict):
    n: int


WORKER_TEST: Topic[Counted] = Topic("test.worker")


@pytest.mark.django_db(transaction=True)
def test_worker_process_dispatches_outbox_events(settings: Any, redis_url: str, tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        skip_or_fail(
            "a separate worker process needs a shared database server (run with STAGEDOOR_DATABASE_URL)",
            need="postgres",
        )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "STAGEDOOR_DATABASE_URL": url,
        "STAGEDOOR_REDIS_URL": redis_url,
        "STAGEDOOR_VAR_DIR": str(tmp_path),
        "STAGEDOOR_SECRET_KEY": settings.SECRET_KEY,
    }
    settings.STAGEDOOR_JOBS_BACKEND = "celery"
    from stagedoor.core.celery import app

    app.conf.broker_url = redis_url
    app.control.purge()
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("stagedoor")), "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        event = outbox_publish(topic=WORKER_TEST, payload={"n": 1})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            event.refresh_from_db()
            if event.dispatched_at is not None:
                break
            assert worker.poll() is None, worker.stderr.read().decode()[-2000:] if worker.stderr else ""
            time.sleep(0.2)
        assert event.dispatched_at is not None, "the worker did not dispatch the event within 60 s"
        assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    finally:
        if worker.poll() is None:  # an exited worker's failure above is the one to report
            os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
