"""Data migrations that turn plaintext columns into encrypted ones (`EncryptedTextField`), filling a keyed hash
beside a column that must stay searchable by equality (`KeyedHashField`).

Rows are walked in primary-key order, `batch` at a time, each batch in its own transaction (a migration marked
``atomic = False`` commits batch by batch, so a large table is not rewritten in one transaction and an interrupted
run resumes: a value that is already a token is left as it is). Values are encrypted exactly as the field would
(bound to `<app>.<model>.<field>`), and the keyed hash is taken of the plaintext, so the models read every row back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from stagedoor.core.crypto import VERSION

_TOKEN = re.compile(rf"^{VERSION}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{16,}}\.[A-Za-z0-9_-]{{16,}}$")


def is_token(value: Any) -> bool:
    return isinstance(value, str) and _TOKEN.match(value) is not None


def encrypt_columns(
    schema_editor: Any,
    *,
    table: str,
    columns: Mapping[str, str],
    hashes: Mapping[str, tuple[str, str]] | None = None,
    pk: str = "id",
    batch: int = 1000,
) -> int:
    """Encrypt every plaintext value of `columns` ({column: context}) in `table`; set each hash column of `hashes`
    ({hash column: (source column, kind)}) from the source's plaintext. Returns the rows rewritten."""
    from stagedoor.core.crypto import keyring
    from stagedoor.core.hashing import lookup_hash

    ring = keyring()
    hashes = dict(hashes or {})
    conn = schema_editor.connection
    q = conn.ops.quote_name
    cols = list(columns)
    select = ", ".join(q(c) for c in [pk, *cols])
    changed = 0
    last: Any = None
    while True:
        where = f" WHERE {q(pk)} > %s" if last is not None else ""
        with conn.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {q(table)}{where} ORDER BY {q(pk)} LIMIT %s",  # noqa: S608 - quoted names
                [*([last] if last is not None else []), batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return changed
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            for row in rows:
                values = dict(zip(cols, row[1:], strict=True))
                sets: dict[str, str] = {}
                for hash_col, (source, kind) in hashes.items():
                    if not is_token(values[source]):
                        sets[hash_col] = lookup_hash(kind, values[source])
                for col, context in columns.items():
                    value = values[col]
                    if value is not None and value != "" and not is_token(value):
                        sets[col] = ring.encrypt(str(value), context=context)
                if sets:
                    assignments = ", ".join(f"{q(c)} = %s" for c in sets)
                    cursor.execute(
                        f"UPDATE {q(table)} SET {assignments} WHERE {q(pk)} = %s",  # noqa: S608 - quoted names
                        [*sets.values(), row[0]],
                    )
                    changed += 1
        last = rows[-1][0]


def decrypt_columns(
    schema_editor: Any, *, table: str, columns: Mapping[str, str], pk: str = "id", batch: int = 1000
) -> int:
    """The reverse: every token of `columns` back to its plaintext (for a migration rolled back)."""
    from stagedoor.core.crypto import keyring

    ring = keyring()
    conn = schema_editor.connection
    q = conn.ops.quote_name
    cols = list(columns)
    select = ", ".join(q(c) for c in [pk, *cols])
    changed = 0
    last: Any = None
    while True:
        where = f" WHERE {q(pk)} > %s" if last is not None else ""
        with conn.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM {q(table)}{where} ORDER BY {q(pk)} LIMIT %s",  # noqa: S608 - quoted names
                [*([last] if last is not None else []), batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return changed
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            for row in rows:
                sets = {
                    col: ring.decrypt(value, context=columns[col])
                    for col, value in zip(cols, row[1:], strict=True)
                    if is_token(value)
                }
                if sets:
                    assignments = ", ".join(f"{q(c)} = %s" for c in sets)
                    cursor.execute(
                        f"UPDATE {q(table)} SET {assignments} WHERE {q(pk)} = %s",  # noqa: S608 - quoted names
                        [*sets.values(), row[0]],
                    )
                    changed += 1
        last = rows[-1][0]
