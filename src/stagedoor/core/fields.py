"""Model fields shared by every app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from stagedoor.core.ids import ID_LENGTH, new_id

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    # django-stubs makes fields generic over (set type, get type); Django itself doesn't subscript.
    _CharField = models.CharField[str | int | Combinable, str]
    _TextField = models.TextField[str | Combinable, str]
else:
    _CharField = models.CharField
    _TextField = models.TextField


class IdField(_CharField):
    """A sortable unique id (see `core.ids`) used as primary key."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", ID_LENGTH)
        kwargs.setdefault("default", new_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)


class EncryptedTextField(_TextField):
    """Text encrypted at rest with envelope encryption (`core.crypto`).

    The Python value is the plaintext; the column holds the ciphertext token. Empty
    strings are stored as empty strings so "not set" stays queryable.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        from stagedoor.core.crypto import keyring

        return keyring().decrypt(value, context=self._context())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        from stagedoor.core.crypto import keyring

        return keyring().encrypt(str(value), context=self._context())

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"


class OpaqueKeyField(_CharField):
    """A key compared only for equality (idempotency keys, external references).

    On PostgreSQL it gets no ``varchar_pattern_ops`` twin index (see ``core.db.postgresql``).
    """

    pattern_index = False
