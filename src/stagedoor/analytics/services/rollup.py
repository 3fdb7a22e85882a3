"""The roll-up passes: fold new ledger entries (and chat activity) into the daily tables.

`ledger_rollup_pass` locks its cursor row, reads the next entries after it in id order, adds their sums to
the daily rows and moves the cursor — all in ONE transaction. A crash before the commit leaves nothing
folded and the cursor where it was; a second pass (or two at once: the lock serializes them) starts after
the last folded entry, so no entry is ever added twice.

Ids are handed out when a row is inserted but become visible when its transaction commits, so on PostgreSQL
entry 101 may be visible before entry 100. A pass therefore stops at a hole in the ids while the entry after
the hole is younger than `gap_grace` seconds (the transaction holding the missing id may still commit); an
older hole is a rolled-back insert and is skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from stagedoor.analytics import selectors
from stagedoor.analytics.models import (
    ChatterDaily,
    LedgerDaily,
    PlatformDaily,
    RollupCursor,
    SalesDaily,
    ShowMinutesDaily,
    SupportDaily,
)
from stagedoor.core.ids import id_timestamp_ms
from stagedoor.wallet.models import LedgerEntry

BATCH = 5_000
GAP_GRACE_SECONDS = 30.0
CHAT_WINDOW = timedelta(minutes=5)  # chat is a set: each pass re-reads the last minutes (harmless)


def _merge(model: type[models.Model], key_fields: tuple[str, ...], sums: selectors.Sums, **extra: Any) -> None:
    """Add `sums` to the rows keyed by `key_fields` (create the missing ones). Caller holds the cursor lock.

    One upsert (`INSERT … ON CONFLICT (key) DO UPDATE`) writes the new totals of every touched row: the cursor lock
    serializes passes, so totals read here cannot change before this pass commits. (A per-row `bulk_update` builds
    a CASE per row and was most of a pass's time.)"""
    if not sums:
        return
    filters = {f"{name}__in": {key[i] for key in sums} for i, name in enumerate(key_fields)}
    fields = sorted({name for deltas in sums.values() for name in deltas})
    existing = {
        tuple(row[name] for name in key_fields): row
        for row in model._default_manager.filter(**filters).values(*key_fields, *fields)
    }
    rows: list[models.Model] = []
    for key, deltas in sums.items():
        values: dict[str, Any] = dict(zip(key_fields, key, strict=True))
        values.update({name: value(key) for name, value in extra.items()})
        before = existing.get(key)
        for name in fields:
            values[name] = (before[name] if before is not None else 0) + deltas.get(name, 0)
        rows.append(model(**values))
    model._default_manager.bulk_create(
        rows, batch_size=1000, update_conflicts=True, unique_fields=list(key_fields), update_fields=fields
    )


def _take_until_hole(rows: list[dict[str, Any]], last_id: int, *, gap_grace: float, now: datetime) -> int:
    """How many of `rows` (ascending ids after `last_id`) may be folded now."""
    horizon = now - timedelta(seconds=gap_grace)
    expected = last_id + 1
    for n, row in enumerate(rows):
        if last_id and row["id"] != expected and row["created_at"] > horizon:
            return n
        expected = row["id"] + 1
    return len(rows)


def ledger_rollup_pass(*, batch: int = BATCH, gap_grace: float = GAP_GRACE_SECONDS) -> int:
    """Fold at most `batch` entries after the cursor. Returns how many were folded (0: caught up)."""
    RollupCursor.objects.get_or_create(name=selectors.LEDGER_CURSOR)
    with transaction.atomic():
        cursor = RollupCursor.objects.select_for_update().get(name=selectors.LEDGER_CURSOR)
        rows = selectors.entry_rows(LedgerEntry.objects.filter(id__gt=cursor.last_id).order_by("id")[:batch])
        rows = rows[: _take_until_hole(rows, cursor.last_id, gap_grace=gap_grace, now=timezone.now())]
        if not rows:
            return 0
        folded = selectors.fold_entries(rows)
        kinds = folded.account_kinds
        _merge(LedgerDaily, ("account_id", "day", "product"), folded.ledger, account_kind=lambda key: kinds[key[0]])
        _merge(PlatformDaily, ("account_kind", "day", "product"), folded.platform)
        _merge(SupportDaily, ("performer_id", "day", "payer_id", "anonymous"), folded.support)
        _merge(SalesDaily, ("day", "provider", "currency"), folded.sales)
        _merge(ShowMinutesDaily, ("performer_id", "day"), folded.minutes)
        cursor.last_id = rows[-1]["id"]
        cursor.folded += len(rows)
        cursor.updated_at = timezone.now()
        cursor.save(update_fields=["last_id", "folded", "updated_at"])
        return len(rows)


def ledger_rollup(*, batch: int = BATCH, gap_grace: float = GAP_GRACE_SECONDS, max_passes: int = 1000) -> int:
    """Fold until caught up (or `max_passes` batches). Returns the entries folded."""
    total = 0
    for _ in range(max_passes):
        n = ledger_rollup_pass(batch=batch, gap_grace=gap_grace)
        total += n
        if n < batch:
            break
    return total


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _id_floor(at: datetime) -> str:
    """The smallest id (core.ids layout) made at `at`: ids sort by their time."""
    value = int(at.timestamp() * 1000) << 80
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def chat_rollup_pass(*, batch: int = BATCH) -> int:
    """Record who chatted in whose room each day (distinct people: a set, so re-reading is harmless).

    Each pass re-reads from a few minutes before its cursor (a message id made earlier may commit later).
    Returns the messages read."""
    from stagedoor.chat.models import ChatMessage

    RollupCursor.objects.get_or_create(name=selectors.CHAT_CURSOR)
    with transaction.atomic():
        cursor = RollupCursor.objects.select_for_update().get(name=selectors.CHAT_CURSOR)
        key = cursor.last_key
        if key:
            key = _id_floor(datetime.fromtimestamp(id_timestamp_ms(key) / 1000, tz=UTC) - CHAT_WINDOW)
        read = 0
        while True:
            rows = list(
                ChatMessage.objects.filter(id__gt=key, user__isnull=False)
                .order_by("id")
                .values_list("id", "room__performer_id", "user_id", "created_at")[:batch]
            )
            ChatterDaily.objects.bulk_create(
                [
                    ChatterDaily(day=selectors.utc_day(at), performer_id=performer, user_id=user)
                    for _, performer, user, at in rows
                    if user != performer
                ],
                ignore_conflicts=True,
                batch_size=1000,
            )
            read += len(rows)
            if rows:
                key = rows[-1][0]
            if len(rows) < batch:
                break
        if key > cursor.last_key:
            cursor.last_key = key
            cursor.folded += read
            cursor.updated_at = timezone.now()
            cursor.save(update_fields=["last_key", "folded", "updated_at"])
        return read
