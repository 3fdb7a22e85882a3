"""What every app contributes to data-subject requests and retention (issue #14).

Each app that stores personal data registers, from a small module of its own (`<app>/privacy.py`, imported in
its `AppConfig.ready()`):

    register_exporter("chat", export_chat)      # fn(user) -> {"chat_messages": [row, ...], ...}
    register_eraser("chat", erase_chat)         # fn(ctx: EraseContext) -> ErasureResult
    register_retention(RetentionClass(name="chat_messages", app_label="chat", ...))

The `privacy` app (above every domain app) walks these registries; it never writes another app's tables
itself. A test (`privacy/tests/test_registry.py`) fails when an installed app holds a personal-data model
(a link to the user, an encrypted field, an e-mail or IP address column) and registered no exporter or no
eraser, so a new app cannot forget. The registry is in `core` so that every app can register without
importing `privacy`.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet

Row = dict[str, Any]
ExportData = dict[str, list[Row]]


@dataclass(frozen=True)
class Kept:
    """Something erasure left in place, and why (shown to staff, written to the erasure step's record)."""

    what: str
    legal_basis: str
    count: int = 0


@dataclass
class ErasureResult:
    changed: int = 0  # rows pseudonymised or deleted
    kept: list[Kept] = field(default_factory=list)

    def keep(self, what: str, legal_basis: str, count: int) -> None:
        if count:
            self.kept.append(Kept(what=what, legal_basis=legal_basis, count=count))


@dataclass(frozen=True)
class EraseContext:
    """One account's erasure as an eraser sees it.

    `tombstone` is the pseudonym the account gets everywhere ("erased_<id tail>"); `held` is True when a legal
    hold covers the whole account (an eraser then changes nothing and reports what it kept); `held_refs` are
    (target type, id) pairs of held cases or records (e.g. ("moderation.case", "01…")).
    """

    user: Any
    tombstone: str
    held: bool = False
    held_refs: frozenset[tuple[str, str]] = frozenset()

    @property
    def tombstone_email(self) -> str:
        return f"{self.tombstone}@erased.invalid"

    def is_held(self, target_type: str, target_id: object) -> bool:
        return self.held or (target_type, str(target_id)) in self.held_refs


@dataclass(frozen=True)
class RetentionRun:
    """One pass of the retention job over one data class: rows older than `cutoff` go, except those of held
    users. With `dry_run` the function only counts."""

    cutoff: dt.datetime
    held_user_ids: frozenset[str]
    dry_run: bool


@dataclass(frozen=True)
class RetentionClass:
    """A data class with an operator-set retention period (`core.config.privacy`)."""

    name: str  # unique, "<app>.<what>", e.g. "chat.messages"
    period: str  # the key of its period in PrivacyConfig.retention_days, e.g. "chat_messages" (shared by apps)
    app_label: str
    description: str  # what goes, in one line
    action: str  # "delete" or "anonymise"
    run: Callable[[RetentionRun], int]  # returns rows deleted/anonymised (or that would be, on a dry run)


Exporter = Callable[[Any], ExportData]
Eraser = Callable[[EraseContext], ErasureResult]

_EXPORTERS: dict[str, Exporter] = {}
_ERASERS: dict[str, Eraser] = {}
_RETENTION: dict[str, RetentionClass] = {}


def _origin(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


def _register[F: Callable[..., Any]](table: dict[str, F], key: str, fn: F, kind: str) -> None:
    existing = table.get(key)
    if existing is not None and _origin(existing) != _origin(fn):
        raise ValueError(f"{kind} for {key!r} registered twice ({_origin(existing)}, {_origin(fn)})")
    table[key] = fn


def register_exporter(app_label: str, fn: Exporter) -> None:
    _register(_EXPORTERS, app_label, fn, "exporter")


def register_eraser(app_label: str, fn: Eraser) -> None:
    _register(_ERASERS, app_label, fn, "eraser")


def register_retention(data_class: RetentionClass) -> None:
    if data_class.action not in ("delete", "anonymise"):
        raise ValueError(f"retention class {data_class.name!r}: action must be 'delete' or 'anonymise'")
    existing = _RETENTION.get(data_class.name)
    if existing is not None and _origin(existing.run) != _origin(data_class.run):
        raise ValueError(f"retention class {data_class.name!r} registered twice")
    _RETENTION[data_class.name] = data_class


def exporters() -> dict[str, Exporter]:
    return dict(sorted(_EXPORTERS.items()))


def erasers() -> dict[str, Eraser]:
    return dict(sorted(_ERASERS.items()))


def retention_classes() -> dict[str, RetentionClass]:
    return dict(sorted(_RETENTION.items()))


# --- helpers for exporters ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def rows(queryset: QuerySet[Any] | Iterable[Model], fields: Iterable[str]) -> list[Row]:
    """The named fields of each object as JSON-ready values (dates as ISO text, foreign keys as ids: use
    `<fk>_id`); encrypted fields come out decrypted, since the export is for the person themselves."""
    names = list(fields)
    return [{name: _plain(getattr(obj, name)) for name in names} for obj in queryset]
