"""The Celery app used when `STAGEDOOR_REDIS_URL` is set (`stagedoor worker`, `stagedoor beat`)."""

from __future__ import annotations

from typing import Any

from celery import Celery

from stagedoor.core.config import use_stagedoor_settings

use_stagedoor_settings()

app = Celery("stagedoor")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name="stagedoor.run_job", bind=True, max_retries=5, acks_late=True)  # type: ignore[untyped-decorator]  # celery ships no types
def run_job_task(self: Any, name: str, args: list[Any]) -> None:
    from stagedoor.core.jobs import run_job

    try:
        run_job(name, *args)
    except LookupError:
        raise
    except Exception as exc:
        raise self.retry(exc=exc, countdown=min(60, 2**self.request.retries)) from exc


@app.task(name="stagedoor.core.tasks.outbox_sweep")  # type: ignore[untyped-decorator]  # celery ships no types
def outbox_sweep_task() -> int:
    from stagedoor.core.outbox import outbox_sweep

    return outbox_sweep()
