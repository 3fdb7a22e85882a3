"""The chat sentiment pass: score new chat lines in batches and add their tallies to per-room hourly rows.

Like the ledger roll-up, the pass locks its cursor row (`RollupCursor` "sentiment", `last_key`: the last message
id considered), reads the next visible lines through chat's selector, adds their tallies to `SentimentHourly` and
moves the cursor, all in ONE transaction: a crash folds nothing, two passes at once are serialized, no line is
counted twice. A line is read only once it is `settle` old (`STAGEDOOR_ANALYTICS_SENTIMENT_SETTLE_MINUTES`), so
moderation has acted first: a line deleted, purged, held or blocked by then is never counted. A per-line score
exists only inside `SentimentModel.tally`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stagedoor.analytics.models import RollupCursor, SentimentHourly
from stagedoor.analytics.selectors.sentiment import SENTIMENT_CURSOR
from stagedoor.analytics.sentiment_model import SentimentModel, cached_model
from stagedoor.analytics.services.rollup import _id_floor, _merge
from stagedoor.chat.selectors import chat_lines_for_statistics

BATCH = 5_000


def _hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def sentiment_model() -> SentimentModel:
    """The configured model: the operator's lexicon file, else the one shipped in `vadersentiment`."""
    return cached_model(settings.STAGEDOOR.analytics.sentiment_lexicon)


def sentiment_rollup_pass(
    *,
    batch: int = BATCH,
    settle: timedelta | None = None,
    model: SentimentModel | None = None,
    now: datetime | None = None,
) -> int:
    """Score at most `batch` settled lines after the cursor. Returns how many were scored (0: caught up)."""
    if settle is None:
        settle = timedelta(minutes=settings.STAGEDOOR.analytics.sentiment_settle_minutes)
    model = model or sentiment_model()
    bound = _id_floor((now or timezone.now()) - settle)
    RollupCursor.objects.get_or_create(name=SENTIMENT_CURSOR)
    with transaction.atomic():
        cursor = RollupCursor.objects.select_for_update().get(name=SENTIMENT_CURSOR)
        if cursor.last_key >= bound:
            return 0
        rows = chat_lines_for_statistics(after_id=cursor.last_key, before_id=bound, limit=batch)
        texts: dict[tuple[str, datetime], list[str]] = defaultdict(list)
        performers: dict[str, str] = {}
        for _, room_id, performer_id, created_at, text in rows:
            texts[(room_id, _hour(created_at))].append(text)
            performers[room_id] = performer_id
        sums: dict[tuple[str, datetime], dict[str, int]] = {}
        for key, group in texts.items():
            tally = model.tally(group)
            sums[key] = {
                "messages": tally.messages,
                "positive": tally.positive,
                "neutral": tally.neutral,
                "negative": tally.negative,
                "compound_micro": tally.compound_micro,
            }
        texts.clear()  # the lines' text is not kept beyond the scoring
        _merge(SentimentHourly, ("room_id", "hour"), sums, performer_id=lambda key: performers[key[0]])
        cursor.last_key = rows[-1][0] if len(rows) >= batch else bound
        cursor.folded += len(rows)
        cursor.updated_at = timezone.now()
        cursor.save(update_fields=["last_key", "folded", "updated_at"])
        return len(rows)


def sentiment_rollup(
    *,
    batch: int = BATCH,
    settle: timedelta | None = None,
    model: SentimentModel | None = None,
    now: datetime | None = None,
    max_passes: int = 100,
) -> int:
    """Score until caught up (or `max_passes` batches). Returns the lines scored."""
    model = model or sentiment_model()
    total = 0
    for _ in range(max_passes):
        n = sentiment_rollup_pass(batch=batch, settle=settle, model=model, now=now)
        total += n
        if n < batch:
            break
    return total
