"""moderation 0003: case and decision evidence (which may quote a held private message) is encrypted at rest;
existing plain JSON rows are rewritten as tokens by the migration (and back by its reverse)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from stagedoor.moderation.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("moderation", "0002_decision_request_verification")]
AFTER = [("moderation", "0003_evidence_encrypted")]
EVIDENCE = {"private_message": {"id": "m1", "text": "a secret between us, Zoë"}, "classifier": {"reason": "spam"}}


def _raw() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, evidence FROM moderation_case ORDER BY id")
        return dict(cursor.fetchall())


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_evidence_is_encrypted_by_the_migration() -> None:
    old_apps = _migrate(BEFORE)
    try:
        Old = old_apps.get_model("moderation", "Case")
        now = timezone.now()
        common = {"category": "spam", "severity": "low", "severity_rank": 3, "created_at": now, "due_at": now}
        Old.objects.create(id="c1", source="staff", evidence=EVIDENCE, **common)
        Old.objects.create(id="c2", source="staff", evidence={}, **common)
        assert "a secret between us" in str(_raw()["c1"])
    finally:
        _migrate(AFTER)

    raw = _raw()
    assert raw["c1"].startswith("v1.") and raw["c2"].startswith("v1.")
    assert "secret" not in raw["c1"]
    assert Case.objects.get(pk="c1").evidence == EVIDENCE
    assert Case.objects.get(pk="c2").evidence == {}

    _migrate(BEFORE)  # the reverse decrypts
    try:
        value = _raw()["c1"]  # JSON text on SQLite, a decoded jsonb value on PostgreSQL
        assert (json.loads(value) if isinstance(value, str) else value) == EVIDENCE
    finally:
        _migrate(AFTER)
