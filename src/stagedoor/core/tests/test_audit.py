from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from stagedoor.core.audit import AuditProblem, audit_record, audit_verify
from stagedoor.core.models import AuditEntry, AuditHead

pytestmark = pytest.mark.django_db


def _problems() -> list[str]:
    return [str(p) for p in audit_verify() if isinstance(p, AuditProblem)]


def _seed(n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(actor="tester", action="test.action", target_type="thing", target_id=str(i), data={"i": i})
        for i in range(n)
    ]


def test_chain_links_every_row() -> None:
    rows = _seed(4)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == "0" * 64
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 4))
    head = AuditHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (4, rows[-1].hash)
    assert _problems() == []


def test_log_is_append_only_through_the_orm() -> None:
    row = _seed(1)[0]
    row.action = "changed"
    with pytest.raises(TypeError, match="append-only"):
        row.save()
    with pytest.raises(TypeError, match="append-only"):
        row.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(seq=1).update(action="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(seq=1).action == "test.action"


def test_edited_row_is_named() -> None:
    _seed(5)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET target_id = 'tampered' WHERE seq = 3")
    assert _problems() == ["audit row 3: contents do not match its hash (row edited)"]


def test_deleted_row_is_named() -> None:
    _seed(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 2")
    problems = _problems()
    assert problems[0] == "audit row 2: missing (rows 2 deleted)"
    assert "audit row 3: prev_hash does not match the row before it (chain broken)" in problems


def test_deleted_tail_is_named() -> None:
    _seed(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq >= 4")
    assert _problems() == ["audit row 4: missing (rows 4–5 deleted from the end)"]


def test_rehashed_forgery_is_still_caught_by_the_chain() -> None:
    """Editing a row and recomputing its own hash breaks the next row's link."""
    from stagedoor.core.audit import entry_hash

    _seed(4)
    row = AuditEntry.objects.get(seq=2)
    row.actor_label = "someone-else"
    forged = entry_hash(row.prev_hash, row)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_label = %s, hash = %s WHERE seq = 2", ["someone-else", forged])
    assert _problems() == ["audit row 3: prev_hash does not match the row before it (chain broken)"]


def test_verify_command_passes_then_fails_naming_the_row() -> None:
    _seed(3)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK audit chain intact: 3 rows verified" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET data = %s WHERE seq = 2", ['{"i": 99}'])
    err = io.StringIO()
    with pytest.raises(CommandError, match="audit chain broken: 1 problem"):
        call_command("audit", "verify", stdout=io.StringIO(), stderr=err)
    assert "FAIL audit row 2: contents do not match its hash (row edited)" in err.getvalue()
