"""Model fields shared by every app."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core import validators
from django.db import models
from django.db.models.lookups import Exact, IsNull

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


class _EmptyOnlyExact(Exact):
    """`field=""` (not set) works on an encrypted column; any other value could never match a ciphertext."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise TypeError(
                f"{self.lhs.target.model._meta.label}.{self.lhs.target.name} is encrypted: find rows by its keyed hash "
                "(a KeyedHashField beside it, e.g. accounts.selectors.user_by_email), not by its value"
            )
        return super().get_prep_lookup()


class EncryptedEmailField(EncryptedTextField):
    """An e-mail address encrypted at rest (the model sees the address; validated like `EmailField`).

    Looking rows up by the address (`email=…`, `email__iexact=…`) is refused: a ciphertext never equals anything.
    Keep a `KeyedHashField(source=<this field>, kind="email")` beside it and look up by that.
    """

    default_validators = [validators.validate_email, validators.MaxLengthValidator(254)]

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # Django then says: unsupported lookup for EncryptedEmailField

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return super().formfield(**{"form_class": forms.EmailField, "max_length": 254, **kwargs})


class KeyedHashField(_CharField):
    """The keyed hash (`core.hashing.lookup_hash`) of another field's value, kept beside that encrypted field so rows
    can be found (and kept unique) by equality without the value in clear.

    It is computed from the source field whenever the row is written (`pre_save`, also in `bulk_create`). A
    `save(update_fields=[source])` must name this field too (models with one call `with_keyed_hashes`), and a
    `QuerySet.update(source=…)` must set it as well (`lookup_hash(kind, value)`).
    """

    pattern_index = False  # compared for equality only (no LIKE twin index on PostgreSQL)

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        from stagedoor.core.hashing import lookup_hash

        value = lookup_hash(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


def with_keyed_hashes(instance: models.Model, update_fields: Any) -> Any:
    """`update_fields` plus the keyed hash of every source field named in it (for a model's `save()`)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for f in instance._meta.concrete_fields:
        if isinstance(f, KeyedHashField) and f.source in names:
            names.add(f.name)
    return names


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
