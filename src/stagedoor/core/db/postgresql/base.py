"""Django's PostgreSQL backend, minus the pattern-ops twin index on id-like columns.

For every indexed or unique ``varchar`` column Django creates a second ``…_like`` index
(``varchar_pattern_ops``) so that ``LIKE 'abc%'`` can use an index outside the C locale.
Nobody searches sortable ids, idempotency keys or event topics by prefix, and on the money
path those twins were a third of all index writes per tip (one per primary key, per foreign
key to an id, per idempotency key). A field opts out with ``pattern_index = False``; ids
(``core.fields.IdField``) and relations to them are opted out here.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, schema

from stagedoor.core.fields import IdField


def wants_pattern_index(field: Any) -> bool:
    target = field.target_field if getattr(field, "is_relation", False) else field
    if isinstance(field, IdField) or isinstance(target, IdField):
        return False
    return getattr(field, "pattern_index", True) and getattr(target, "pattern_index", True)


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    def _create_like_index_sql(self, model: Any, field: Any) -> Any:
        if not wants_pattern_index(field):
            return None
        return super()._create_like_index_sql(model, field)  # type: ignore[misc]  # not in django-stubs


class DatabaseWrapper(base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor
