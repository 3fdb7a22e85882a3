"""The PostgreSQL backend's index policy: no pattern-ops twins on ids and opaque keys."""

from __future__ import annotations

import pytest
from django.db import connection

from stagedoor.accounts.models import User
from stagedoor.conftest import skip_or_fail
from stagedoor.core.db.postgresql.base import wants_pattern_index
from stagedoor.core.models import OutboxEvent
from stagedoor.wallet.models import LedgerEntry, LedgerTransfer, Tip


def test_ids_keys_and_relations_to_ids_get_no_pattern_index() -> None:
    assert not wants_pattern_index(LedgerTransfer._meta.get_field("id"))
    assert not wants_pattern_index(LedgerTransfer._meta.get_field("idempotency_key"))
    assert not wants_pattern_index(LedgerEntry._meta.get_field("transfer"))  # a foreign key to an id
    assert not wants_pattern_index(Tip._meta.get_field("sender"))
    # ordinary text columns keep Django's behaviour (prefix search on logins stays indexed)
    assert wants_pattern_index(User._meta.get_field("login"))
    assert wants_pattern_index(OutboxEvent._meta.get_field("topic"))


@pytest.mark.django_db
def test_the_money_path_tables_carry_only_the_indexes_they_use() -> None:
    if connection.vendor != "postgresql":
        skip_or_fail("the index policy is PostgreSQL's (set STAGEDOOR_DATABASE_URL=postgres://…)", need="postgres")
    tables = [m._meta.db_table for m in (LedgerTransfer, LedgerEntry, Tip, OutboxEvent)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexname FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexes = cursor.fetchall()
    assert [name for _, name in indexes if name.endswith("_like")] == []
    per_table = {t: sorted(n for tt, n in indexes if tt == t) for t in tables}
    assert per_table["core_outboxevent"] == ["core_outboxevent_pkey", "outbox_pending_idx"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'outbox_pending_idx'")
        assert "WHERE (dispatched_at IS NULL)" in cursor.fetchone()[0]
    assert len(per_table["wallet_tip"]) == 5  # pkey, transfer (unique), performer/sender timelines, menu (partial)
