"""Key-encryption keys in use: rotation (`stagedoor keys rotate|status`) and the start-up check for a lost key.

Every column holding `core.crypto` tokens is found through the app registry: a field whose class sets
``holds_crypto_tokens`` (`EncryptedTextField`, `WrappedKeyField`), so a new app's encrypted fields are rotated
without being listed anywhere.

Rotation re-wraps each token's data key under the active (first configured) key; the ciphertext of the value is
untouched. Per column it walks the rows still naming another key in primary-key order, in short transactions of
`batch_size` rows, each row written with ``UPDATE … WHERE pk = %s AND col = <old token>``: a row changed by the
site in the meantime is re-read and retried, never overwritten. A `KeyRotationProgress` row per column keeps the
last primary key done, so a crashed run resumes there. The run ends with a count per key id per column (the proof):
any row left on another key makes it fail.

Start-up check: `EncryptionKeyInUse` is a small table of the key ids stored rows may name. The active key id is
added by every serving process at start-up and by `migrate`; rotation removes an id once its proof shows no row
names it. Comparing that table with the configured keys costs one tiny query, whatever the size of the data. The
table is seeded from a full count the first time it is empty (a fresh or just-upgraded database).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction

from stagedoor.core.crypto import VERSION, DecryptionError, Keyring, keyring

log = logging.getLogger("stagedoor.core.keys")

MALFORMED = "?"  # the key id reported for a non-empty value that is not a token (e.g. plaintext left behind)
ROW_RETRIES = 5
BATCH_RETRIES = 3


class KeysMissing(Exception):
    """Stored rows name key ids that are not configured. `str()` is one line."""

    def __init__(self, missing: set[str]) -> None:
        self.missing = missing
        ids = ", ".join(sorted(missing))
        super().__init__(
            f"stored data is encrypted under key id(s) {ids} missing from STAGEDOOR_ENCRYPTION_KEYS: "
            "add the key(s) back (see docs/privacy.md, Encryption at rest)"
        )


@dataclass(frozen=True)
class TokenColumn:
    model: type[models.Model]
    field: models.Field[Any, Any]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def table(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    @property
    def column(self) -> str:
        return connection.ops.quote_name(str(self.field.column))

    @property
    def pk_column(self) -> str:
        pk = self.model._meta.pk
        assert pk is not None
        return connection.ops.quote_name(str(pk.column))


def token_columns() -> list[TokenColumn]:
    """Every concrete column that holds crypto tokens, across all installed apps."""
    found: list[TokenColumn] = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        for f in meta.local_concrete_fields:
            if getattr(f, "holds_crypto_tokens", False):
                found.append(TokenColumn(model, f))
    return sorted(found, key=lambda c: c.label)


def _strpos() -> str:
    return "strpos" if connection.vendor == "postgresql" else "instr"


def column_counts(col: TokenColumn) -> dict[str, int]:
    """Rows per key id in one column (non-empty values only; `MALFORMED` for values that are not tokens)."""
    pos = _strpos()
    c = col.column
    kid = f"SUBSTR({c}, 4, {pos}(SUBSTR({c}, 4), '.') - 1)"
    is_token = f"SUBSTR({c}, 1, 3) = %s AND {pos}(SUBSTR({c}, 4), '.') > 1"
    sql = (
        f"SELECT CASE WHEN {is_token} THEN {kid} ELSE %s END AS kid, COUNT(*) "  # noqa: S608 - quoted names
        f"FROM {col.table} WHERE {c} IS NOT NULL AND {c} <> '' GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [VERSION + ".", MALFORMED])
        return {str(k): int(n) for k, n in cursor.fetchall()}


def key_counts(*, existing_tables_only: bool = False) -> dict[str, dict[str, int]]:
    """`{column label: {key id: rows}}` for every token column (columns with no value are listed empty)."""
    columns = token_columns()
    if existing_tables_only:  # a partly migrated database
        tables = set(connection.introspection.table_names())
        columns = [col for col in columns if col.model._meta.db_table in tables]
    return {col.label: column_counts(col) for col in columns}


def keys_in_use() -> set[str]:
    from stagedoor.core.models import EncryptionKeyInUse

    return set(EncryptionKeyInUse.objects.values_list("key_id", flat=True))


def record_active_key(ring: Keyring | None = None) -> None:
    """Note the active key id as in use (seeding the table from a full count the first time it is empty)."""
    from stagedoor.core.models import EncryptionKeyInUse

    ring = ring or keyring()
    if not EncryptionKeyInUse.objects.exists():
        seen = {kid for counts in key_counts(existing_tables_only=True).values() for kid in counts if kid != MALFORMED}
        for kid in sorted(seen):
            EncryptionKeyInUse.objects.get_or_create(key_id=kid)
    EncryptionKeyInUse.objects.get_or_create(key_id=ring.active_id)


def check_keys_in_use() -> None:
    """Raise KeysMissing when stored rows may name a key id that is not configured; then record the active key."""
    ring = keyring()
    record_active_key(ring)
    missing = keys_in_use() - set(ring.keys)
    if missing:
        raise KeysMissing(missing)


@dataclass
class ColumnReport:
    label: str
    rewrapped: int = 0
    retried: int = 0  # rows changed by the site while rotating, re-read and redone
    skipped: int = 0  # rows deleted, emptied or rewritten under the new key meanwhile
    failed: list[tuple[str, str]] = field(default_factory=list)  # (pk, reason)


@dataclass
class RotationReport:
    active_id: str
    columns: list[ColumnReport] = field(default_factory=list)
    complete: bool = False  # every column walked to its end
    remaining: dict[str, dict[str, int]] = field(default_factory=dict)  # label → {old key id: rows}

    @property
    def ok(self) -> bool:
        return self.complete and not self.remaining and not any(c.failed for c in self.columns)

    @property
    def rewrapped(self) -> int:
        return sum(c.rewrapped for c in self.columns)


class _BatchLimit(Exception):
    pass


def rows_to_rotate(col: TokenColumn, active_id: str) -> int:
    return sum(n for kid, n in column_counts(col).items() if kid not in {active_id, MALFORMED})


def _pending_batch(col: TokenColumn, prefix: str, after: Any, limit: int) -> list[tuple[Any, str]]:
    c, pk = col.column, col.pk_column
    where = [f"SUBSTR({c}, 1, 3) = %s", f"SUBSTR({c}, 1, %s) <> %s"]
    params: list[Any] = [VERSION + ".", len(prefix), prefix]
    if after is not None:
        where.append(f"{pk} > %s")
        params.append(after)
    sql = f"SELECT {pk}, {c} FROM {col.table} WHERE {' AND '.join(where)} ORDER BY {pk} LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [(row[0], str(row[1])) for row in cursor.fetchall()]


def _rewrap_row(col: TokenColumn, ring: Keyring, prefix: str, pk: Any, token: str, report: ColumnReport) -> None:
    update = f"UPDATE {col.table} SET {col.column} = %s WHERE {col.pk_column} = %s AND {col.column} = %s"  # noqa: S608
    reread = f"SELECT {col.column} FROM {col.table} WHERE {col.pk_column} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        for _ in range(ROW_RETRIES):
            try:
                new = ring.rewrap(token)
            except DecryptionError as exc:
                report.failed.append((str(pk), str(exc)))
                return
            cursor.execute(update, [new, pk, token])
            if cursor.rowcount == 1:
                report.rewrapped += 1
                return
            cursor.execute(reread, [pk])
            row = cursor.fetchone()
            if row is None or not row[0] or str(row[0]).startswith(prefix):
                report.skipped += 1
                return
            token = str(row[0])
            report.retried += 1
    report.failed.append((str(pk), f"changed {ROW_RETRIES} times while rotating"))


def _rotate_column(
    col: TokenColumn,
    ring: Keyring,
    report: ColumnReport,
    *,
    batch_size: int,
    budget: list[int] | None,
    on_batch: Callable[[TokenColumn, int], None],
) -> None:
    from stagedoor.core.models import KeyRotationProgress

    prefix = f"{VERSION}.{ring.active_id}."
    progress, _ = KeyRotationProgress.objects.get_or_create(column=col.label, target_key_id=ring.active_id)
    if progress.done:
        return
    pk_field = col.model._meta.pk
    assert pk_field is not None
    while True:
        after = pk_field.to_python(progress.last_pk) if progress.last_pk else None
        rows = _pending_batch(col, prefix, after, batch_size)
        if not rows:
            progress.done = True
            progress.save(update_fields=["done", "updated_at"])
            return
        if budget is not None:
            if budget[0] <= 0:
                raise _BatchLimit
            budget[0] -= 1
        before = report.rewrapped
        for attempt in range(BATCH_RETRIES):
            try:
                with transaction.atomic():
                    for pk, token in rows:
                        _rewrap_row(col, ring, prefix, pk, token, report)
                    progress.last_pk = str(rows[-1][0])
                    progress.rewrapped += report.rewrapped - before
                    progress.save(update_fields=["last_pk", "rewrapped", "updated_at"])
                break
            except DatabaseError:  # a deadlock or serialisation failure: the batch rolled back, do it again
                if attempt == BATCH_RETRIES - 1:
                    raise
                report.rewrapped = before
                log.warning("keys rotate: %s batch after %s rolled back, retrying", col.label, rows[0][0])
        log.info(
            "keys rotate: %s rewrapped %d (total %d) up to pk %s",
            col.label,
            report.rewrapped - before,
            progress.rewrapped,
            progress.last_pk,
        )
        on_batch(col, len(rows))


def rotate(
    *,
    batch_size: int = 500,
    max_batches: int | None = None,
    on_batch: Callable[[TokenColumn, int], None] | None = None,
    actor: Any = "keys rotate",
) -> RotationReport:
    """Re-wrap every token under the active key; see the module docstring. `max_batches` stops the run early
    (as a crash would), leaving the progress rows to resume from."""
    from stagedoor.core.audit import audit_record
    from stagedoor.core.models import EncryptionKeyInUse, KeyRotationProgress

    ring = keyring()
    record_active_key(ring)
    report = RotationReport(active_id=ring.active_id)
    budget = None if max_batches is None else [max_batches]
    callback = on_batch or (lambda col, n: None)
    columns = token_columns()
    by_label = {col.label: ColumnReport(col.label) for col in columns}
    report.columns = list(by_label.values())
    try:
        for col in columns:
            _rotate_column(col, ring, by_label[col.label], batch_size=batch_size, budget=budget, on_batch=callback)
    except _BatchLimit:
        log.info("keys rotate: stopped after %d batches; run it again to resume", max_batches)
        return report
    report.complete = True

    # The proof. A row written under an old key behind the walk (a process still running the old configuration)
    # gets one more pass; what is still left fails the run and is walked again next time.
    for _pass in range(2):
        report.remaining = {}
        for col in columns:
            old = {kid: n for kid, n in column_counts(col).items() if kid != ring.active_id}
            if old:
                report.remaining[col.label] = old
        stale = [col for col in columns if set(report.remaining.get(col.label, {})) - {MALFORMED}]
        if not stale or _pass == 1:
            break
        for col in stale:
            KeyRotationProgress.objects.filter(column=col.label, target_key_id=ring.active_id).update(
                done=False, last_pk=""
            )
            _rotate_column(col, ring, by_label[col.label], batch_size=batch_size, budget=None, on_batch=callback)

    if report.ok:
        EncryptionKeyInUse.objects.exclude(key_id=ring.active_id).delete()
        KeyRotationProgress.objects.filter(target_key_id=ring.active_id).delete()
    else:
        KeyRotationProgress.objects.filter(column__in=list(report.remaining), target_key_id=ring.active_id).update(
            done=False, last_pk=""
        )
    audit_record(
        actor=actor,
        action="core.keys_rotated" if report.ok else "core.keys_rotation_incomplete",
        target_type="core.encryptionkey",
        target_id=ring.active_id,
        data={
            "rewrapped": report.rewrapped,
            "retried": sum(c.retried for c in report.columns),
            "failed": sum(len(c.failed) for c in report.columns),
            "remaining": report.remaining,
        },
    )
    log.info(
        "keys rotate: %s, %d rows rewrapped to %s",
        "done" if report.ok else "INCOMPLETE",
        report.rewrapped,
        ring.active_id,
    )
    return report
