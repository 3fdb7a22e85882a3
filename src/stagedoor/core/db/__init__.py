"""Database helpers shared by migrations (the PostgreSQL backend lives in ``core.db.postgresql``)."""

from __future__ import annotations

from typing import Any


def drop_pattern_twin_indexes(apps: Any, schema_editor: Any, *, app_label: str, models: tuple[str, ...]) -> None:
    """Drop the ``…_like`` twins that Django's stock backend made for these models' id-like columns
    (databases created before ``core.db.postgresql`` stopped making them). No-op elsewhere."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from stagedoor.core.db.postgresql.base import wants_pattern_index

    for name in models:
        model = apps.get_model(app_label, name)
        for field in model._meta.local_fields:
            if (field.db_index or field.unique) and not wants_pattern_index(field):
                index = schema_editor._create_index_name(model._meta.db_table, [field.column], suffix="_like")
                schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")
