"""Model fields shared by every app."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import models

from stagedoor.core.ids import ID_LENGTH, new_id

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    # django-stubs makes fields generic over (set type, get type); Django itself doesn't subscript.
    _CharField = models.CharField[str | int | Combinable, str]
    _TextField = models.TextField[str | Combinable, str]
    _JSONTextField = models.Field[Any, Any]
else:
    _CharField = models.CharField
    _TextField = models.TextField
    _JSONTextField = models.TextField


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
    `stagedoor keys rotate` finds every such column through the app registry (`holds_crypto_tokens`).
    """

    holds_crypto_tokens = True

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


class EncryptedJSONField(_JSONTextField):
    """A JSON value encrypted at rest: the column (text) holds the `core.crypto` token of its JSON text.

    Like `EncryptedTextField` it is bound to its column and found by `stagedoor keys rotate`. It cannot be queried
    by key or content (no JSON lookups): use it for documents read whole, such as moderation evidence.
    """

    holds_crypto_tokens = True

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        from stagedoor.core.crypto import keyring

        return json.loads(keyring().decrypt(value, context=self._context()))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            return value
        from stagedoor.core.crypto import keyring

        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return keyring().encrypt(text, context=self._context())

    def value_to_string(self, obj: Any) -> str:
        return json.dumps(self.value_from_object(obj))

    def _context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"


class WrappedKeyField(_TextField):
    """A `core.crypto` token stored as is: the wrapped data key of an encrypted file (fans media, documents).

    The value in Python is the token itself (the file's owner unwraps it); the marker lets
    `stagedoor keys rotate` re-wrap it under a new key-encryption key like any `EncryptedTextField`.
    """

    holds_crypto_tokens = True


class OpaqueKeyField(_CharField):
    """A key compared only for equality (idempotency keys, external references).

    On PostgreSQL it gets no ``varchar_pattern_ops`` twin index (see ``core.db.postgresql``).
    """

    pattern_index = False
